/** The token subject that started this run (its memo), so it can also read the timer it caused. */
export function starterOf(memo: Record<string, unknown> | undefined): string | undefined {
  const startedBy = memo?.startedBy;
  return typeof startedBy === 'string' ? startedBy : undefined;
}
