import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the SDK's logs (worker, workflow `log`, activity `log`) through our masked pino
 * logger, and serves the SDK's runtime metrics (task latencies, slots, sticky cache,
 * activity and workflow outcomes) in Prometheus format at http://{metricsBind}/metrics.
 */
export function installRuntime(logger: Logger, metricsBind?: string, level: LogLevel = 'INFO'): void {
  Runtime.install({
    ...(metricsBind
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: metricsBind, countersTotalSuffix: true } },
          },
        }
      : {}),
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      logger[LEVELS[l]]({ sdk: true, ...meta }, message);
    }),
  });
}
