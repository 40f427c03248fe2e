import { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { z } from 'zod';
import { isCodecCapability } from '../../lib/codec-capability';
import type { TokenVerifier } from '../http/auth';
import { jsonBody } from '../http/json-body';
import { validated } from '../http/validate';
import { mount } from '../http/route';
import { routes } from '../routes';
import { codecPayloads, type JsonPayload } from './schema';
import { ProblemError, problems } from '../http/problem';

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
      // The UI sends Authorization-Extras (the OIDC ID token) along with the access token.
      res.setHeader(
        'Access-Control-Allow-Headers',
        'content-type, authorization, authorization-extras, x-namespace',
      );
      res.setHeader('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS') return res.status(204).end();
    next();
  };
}

/** The launcher's capability (lib/codec-capability.ts): decoding only, no bearer token. */
function capability(keysDir: string): RequestHandler {
  return async (req, _res, next) => {
    if (await isCodecCapability(keysDir, String(req.params.capability ?? ''))) return next();
    next(problems.unauthenticated('The codec capability is unknown or has expired.'));
  };
}

/**
 * POST /codec/decode (scope codec:decode) and /codec/encode (scope codec:encode): the
 * remote codec the Temporal UI and CLI use to show decoded payloads to ops; anonymous
 * callers get 401. /codec/k/{capability}/decode serves the launcher's UI, decoding only.
 * Histories are large: the codec has its own body limit, checked after authentication.
 */
export function codecRouter(deps: {
  codec: PayloadCodec;
  verifier: TokenVerifier;
  corsOrigins: string[];
  bodyLimit: string;
  keysDir: string;
}): Router {
  const router = Router();
  const body = jsonBody(deps.bodyLimit);
  const handle =
    (op: 'encode' | 'decode'): RequestHandler =>
    async (req, res) => {
      const { payloads } = validated<z.infer<typeof codecPayloads>>(req);
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
    };
  router.use('/codec', codecCors(deps.corsOrigins));
  // Encoding forges payloads workflows would trust: its own scope, never via the capability.
  mount(router, routes.codecEncode, deps, handle('encode'), { parse: body });
  mount(router, routes.codecDecode, deps, handle('decode'), { parse: body });
  mount(router, routes.codecDecodeCapability, deps, handle('decode'), {
    auth: capability(deps.keysDir),
    parse: body,
  });
  return router;
}
