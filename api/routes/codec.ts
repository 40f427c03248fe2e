import { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { TokenVerifier } from '../auth';
import { requireScopes } from '../middleware/auth';
import { validateBody, validated } from '../middleware/validate';
import { ProblemError } from '../problem';

/** Temporal's remote-codec wire shape: proto3 JSON payloads, bytes as base64. */
const jsonPayload = z.object({
  metadata: z.record(z.string(), z.string().max(4096)).optional(),
  data: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
});
const codecBody = z.object({ payloads: z.array(jsonPayload).max(1000) });
type JsonPayload = z.infer<typeof jsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/**
 * CORS for the Temporal UI's origins only; the UI sends the bearer token (production:
 * the ops user's access token) or uses the capability path the launcher configures.
 */
function codecCors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization, x-namespace');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS') return res.status(204).end();
    next();
  };
}

/** Moves a token from the capability path into the Authorization header, then authenticates as usual. */
const tokenFromPath: RequestHandler = (req, _res, next) => {
  const token = String(req.params.token ?? '');
  if (token) req.headers.authorization = `Bearer ${token}`;
  next();
};

/**
 * POST /codec/{encode,decode}: the remote codec the Temporal UI and CLI use to show
 * decoded payloads to ops (scope codec:decode); anonymous callers get 401.
 */
export function codecRouter(deps: {
  codec: PayloadCodec;
  verifier: TokenVerifier;
  corsOrigins: string[];
}): Router {
  const router = Router();
  const auth = requireScopes(deps.verifier, 'codec:decode');
  const handle = (op: 'encode' | 'decode'): RequestHandler[] => [
    auth,
    validateBody(codecBody),
    async (req, res) => {
      const { payloads } = validated<z.infer<typeof codecBody>>(req);
      let out: Payload[];
      try {
        out = await deps.codec[op](payloads.map(fromJson));
      } catch {
        throw new ProblemError(
          422,
          'CODEC_FAILED',
          'Payloads could not be processed',
          `The payloads could not be ${op}d.`,
        );
      }
      res.setHeader('Cache-Control', 'no-store');
      res.json({ payloads: out.map(toJson) });
    },
  ];
  router.use('/codec', codecCors(deps.corsOrigins));
  router.post('/codec/encode', ...handle('encode'));
  router.post('/codec/decode', ...handle('decode'));
  router.post('/codec/k/:token/encode', tokenFromPath, ...handle('encode'));
  router.post('/codec/k/:token/decode', tokenFromPath, ...handle('decode'));
  return router;
}
