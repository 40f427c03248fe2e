import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { problems, type FieldError } from './problem';

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The body after zod validation; typed by the route through `validated<T>()`. */
    validBody?: unknown;
  }
}

/** Validates the JSON body against a zod schema; 400 problem+json with field errors otherwise. */
export function validateBody(schema: z.ZodType): RequestHandler {
  return (req, _res, next) => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) return next(problems.validation(fieldErrors(parsed.error)));
    req.validBody = parsed.data;
    next();
  };
}

export function validated<T>(req: { validBody?: unknown }): T {
  return req.validBody as T;
}
