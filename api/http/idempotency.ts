import type { Request } from 'express';
import { canonicalJson } from '../../lib/canonical-json';
import { hmacHex } from '../../lib/server-key';
import { ProblemError, problems } from './problem';
import { idempotencyKey } from './fields';

/** The request's idempotency key: `Idempotency-Key` header or body `requestId`, which must agree. */
export function requestKey(req: Request, bodyKey: string | undefined): string {
  const header = req.get('idempotency-key');
  if (header !== undefined && !idempotencyKey.safeParse(header).success) {
    throw problems.validation([{ path: 'Idempotency-Key', message: 'invalid idempotency key' }]);
  }
  if (header && bodyKey && header !== bodyKey) {
    throw new ProblemError(
      422,
      'IDEMPOTENCY_KEY_MISMATCH',
      'Idempotency key mismatch',
      'Idempotency-Key and requestId differ.',
    );
  }
  const key = header ?? bodyKey;
  if (!key)
    throw problems.validation([
      { path: 'requestId', message: 'requestId or an Idempotency-Key header is required' },
    ]);
  return key;
}

/** Keyed digest of the body without its key: equal bodies match, and no PII is recoverable from it. */
export function requestDigest(serverKey: Buffer, body: Record<string, unknown>): string {
  const { requestId: _ignored, ...rest } = body;
  return hmacHex(serverKey, canonicalJson(rest));
}
