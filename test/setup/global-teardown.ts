/** Suites tear down their own servers and workers; nothing global is left running. */
export default async function globalTeardown(): Promise<void> {}
