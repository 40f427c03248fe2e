import { z } from 'zod';

/** Reads a boolean env flag the way operators write them. */
export const envBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Comma-separated list, blanks dropped. */
export const envList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export type Env = Record<string, string | undefined>;

/** Treats empty strings as unset, so `FOO=` in a compose file means "use the default". */
export function withoutBlanks(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}
