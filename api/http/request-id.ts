import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

// Accept caller ids that are safe to echo into headers and logs; replace anything else.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

/**
 * Echoes `X-Request-Id` (or Candescent's `TransactionId`) on every response, generating one
 * if absent. A caller that sent `TransactionId` gets it back under that name too, as
 * Candescent's APIs answer (the same id: the one the request is logged under).
 */
export const requestId: RequestHandler = (req, res, next) => {
  const transactionId = req.get('transactionid');
  const given = req.get('x-request-id') ?? transactionId;
  req.requestId = given && SAFE_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  if (transactionId !== undefined) {
    res.setHeader(
      'TransactionId',
      transactionId && SAFE_ID.test(transactionId) ? transactionId : req.requestId,
    );
  }
  next();
};
