import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

// Accept caller ids that are safe to echo into headers and logs; replace anything else.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

/** Echoes `X-Request-Id` (or Candescent's `TransactionId`) on every response, generating one if absent. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id') ?? req.get('transactionid');
  req.requestId = given && SAFE_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
};
