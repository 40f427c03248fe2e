/**
 * Interceptor modules every workflow bundle includes (scripts/build-workflow-bundle.ts,
 * test/setup/global-setup.ts, and a worker bundling at start): tracing is decided per
 * run inside them, so one bundle serves tracing on and off.
 */
export const workflowInterceptorModules: string[] = [require.resolve('../workflows/tracing-interceptors')];
