import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { maskPii, maskText } from './mask';

export type { Logger };
export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto` is pretty only for a person at a terminal; anything read by a machine gets JSON. */
export function prettyLogs(format: LogFormat, isTTY: boolean | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY === true);
}

const PRETTY_OPTIONS = { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' };

/**
 * Renders one JSON log line for a terminal; a line that is not a pino record comes back as
 * it was. The launcher uses it on its children's (piped, so JSON) output.
 */
export function prettyLine(colorize: boolean): (line: string) => string {
  const render = prettyFactory({ ...PRETTY_OPTIONS, colorize });
  return (line) => {
    if (!line.startsWith('{')) return line;
    try {
      const record = JSON.parse(line) as unknown;
      if (typeof record !== 'object' || record === null || !('level' in record)) return line;
      return render(record).replace(/\n$/, '');
    } catch {
      return line;
    }
  };
}

/**
 * JSON logs (pino) with PII masked and secrets dropped before anything is written:
 * every object passes through maskPii, every message through maskText. Pretty-printing
 * (format `pretty`, or `auto` on a terminal) renders the already-masked record.
 */
export function createLogger(opts: {
  name: string;
  level?: string;
  format?: LogFormat;
  destination?: pino.DestinationStream;
}): Logger {
  const pretty = prettyLogs(opts.format ?? 'auto', opts.destination ? false : process.stdout.isTTY);
  const destination = pretty ? prettyDestination(opts.destination) : opts.destination;
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
    destination,
  );
}

/** pino writes JSON lines; this turns each into its pretty form before it reaches `out`. */
function prettyDestination(out: pino.DestinationStream | undefined): pino.DestinationStream {
  const target = out ?? pino.destination({ dest: 1, sync: true });
  const render = prettyLine(out === undefined && process.stdout.isTTY === true);
  return { write: (line: string) => target.write(render(line.replace(/\n$/, '')) + '\n') };
}
