import pino, { type Logger } from 'pino';
import { maskPii, maskText } from './mask';

export type { Logger };

/**
 * JSON logs (pino) with PII masked and secrets dropped before anything is written:
 * every object passes through maskPii, every message through maskText.
 */
export function createLogger(opts: {
  name: string;
  level?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? 'info',
      base: { service: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
      formatters: { log: (obj) => maskPii(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<
            typeof method
          >;
          method.apply(this, masked);
        },
      },
    },
    opts.destination,
  );
}
