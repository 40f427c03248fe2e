import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/auth';
import { openApiDocument } from '../../api/openapi/document';
import { createTemporalClient } from '../../api/temporal';
import { loadConfig } from '../../config';
import { payloadCodec } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';
import { documentedRoutes, expressRoutes } from '../helpers/openapi';

/** The OpenAPI document is generated from the routes' zod schemas and covers every route. */
describe('OpenAPI document', () => {
  let app: Express;
  const doc = openApiDocument();

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-openapi-')) });
    app = createApp({
      config,
      client: createTemporalClient({
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
      }),
      logger: createLogger({ name: 'api', level: 'silent' }),
      verifier: await verifierFromConfig(config),
      serverKey: loadServerKey({ keysDir: config.keysDir }),
      codec: payloadCodec(config),
    });
  });

  it('documents every route the app serves, and nothing it does not', () => {
    const served = expressRoutes(app);
    expect(served.length).toBeGreaterThan(15);
    expect(documentedRoutes(doc)).toEqual(served);
  });

  it('is OpenAPI 3.1 with valid JSON Schemas for every request and response', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const schemas: unknown[] = [];
    const collect = (v: unknown): void => {
      if (!v || typeof v !== 'object') return;
      for (const [k, child] of Object.entries(v)) {
        if (k === 'schema' && child && typeof child === 'object') schemas.push(child);
        else collect(child);
      }
    };
    collect(doc.paths);
    expect(schemas.length).toBeGreaterThan(40);
    for (const s of schemas) expect(() => ajv.compile(s as object)).not.toThrow();
  });

  it('derives request schemas from the validators (unknown fields refused, enums kept)', () => {
    const body = (
      doc.paths as Record<
        string,
        Record<string, { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }>
      >
    )['/open-user-ib']?.post?.requestBody.content['application/json']?.schema;
    expect(body).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['customerId', 'channel']),
      properties: { channel: { enum: ['MOBILE', 'BRANCH'] } },
    });
  });
});
