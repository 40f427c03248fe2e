import type { z } from 'zod';

/**
 * An error answer in the ESB's shape: HTTP status plus `{errorCode, message, ...details}`.
 * Route handlers throw it; the app's error handler writes it.
 */
export class EsbHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EsbHttpError';
  }

  body(): Record<string, unknown> {
    return { ...this.details, errorCode: this.errorCode, message: this.message };
  }
}

export interface FieldError {
  path: string;
  message: string;
}

/** Parses input with a zod schema, or throws 400 VALIDATION_FAILED listing each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
  throw new EsbHttpError(400, 'VALIDATION_FAILED', `invalid ${what}`, { errors });
}

export const notFound = (errorCode: 'CUSTOMER_NOT_FOUND' | 'USER_NOT_FOUND', id: string): EsbHttpError =>
  new EsbHttpError(
    404,
    errorCode,
    `${errorCode === 'CUSTOMER_NOT_FOUND' ? 'customer' : 'IB user'} ${id} not found`,
  );
