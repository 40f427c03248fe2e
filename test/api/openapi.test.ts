import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { z } from 'zod';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import { openApiDocument } from '../../api/openapi/document';
import type { Route } from '../../api/http/route';
import { apiSchemas, named } from '../../api/openapi/registry';
import { routeList } from '../../api/routes';
import { mfaState, problem } from '../../api/openapi/responses';
import { createTemporalClient } from '../../api/temporal';
import { loadConfig } from '../../config';
import { payloadCodec } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';
import {
  deref,
  documentedRoutes,
  expressRoutes,
  responseValidator,
  schemaCompiler,
} from '../helpers/openapi';

type Json = Record<string, unknown>;
const REF = '#/components/schemas/';

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

  it('documents 429 (or a default answer in its own shape) on every route behind the per-caller ceiling', () => {
    const paths = doc.paths as Record<string, Record<string, { responses: Json }>>;
    const limited = routeList.filter((route) => route.callerLimit);
    expect(limited.length).toBeGreaterThan(0);
    for (const route of limited) {
      const operation = paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method];
      const has429 = !!(operation?.responses['429'] ?? operation?.responses.default);
      expect({ route: `${route.method} ${route.path}`, has429 }).toEqual({
        route: `${route.method} ${route.path}`,
        has429: true,
      });
    }
  });

  it('documents every route the app serves, and nothing it does not', () => {
    const served = expressRoutes(app);
    expect(served.length).toBeGreaterThan(15);
    expect(documentedRoutes(doc)).toEqual(served);
  });

  it('is OpenAPI 3.1 with valid JSON Schemas for every request and response', () => {
    expect(doc.openapi).toBe('3.1.0');
    const compile = schemaCompiler(doc);
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
    for (const s of schemas) expect(() => compile(s as Json)).not.toThrow();
    const components = Object.entries((doc.components as { schemas: Record<string, Json> }).schemas);
    expect(components.length).toBeGreaterThan(30);
    for (const [name, s] of components) expect({ [name]: () => compile(s) }[name]).not.toThrow();
  });

  it('derives request schemas from the validators (unknown fields refused, enums kept)', () => {
    const body = deref(
      doc,
      (
        doc.paths as Record<
          string,
          Record<string, { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }>
        >
      )['/open-user-ib']?.post?.requestBody.content['application/json']?.schema,
    );
    expect(body).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['customerId', 'channel']),
      properties: { channel: { enum: ['MOBILE', 'BRANCH'] } },
    });
  });

  /** Every request body and response content of the document, with the zod schema it came from. */
  const sites = () =>
    routeList.flatMap((op) => {
      const docOp = (doc.paths as Record<string, Record<string, Json>>)[
        op.path.replace(/:([A-Za-z]+)/g, '{$1}')
      ]?.[op.method] as {
        requestBody?: { content: Record<string, { schema: Json }> };
        responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
      };
      const where = `${op.method.toUpperCase()} ${op.path}`;
      return [
        ...(op.body
          ? [
              {
                where: `${where} body`,
                zod: op.body,
                io: 'input' as const,
                schema: docOp.requestBody?.content['application/json']?.schema,
              },
            ]
          : []),
        ...Object.entries(op.responses).flatMap(([status, spec]) =>
          spec?.schema
            ? [
                {
                  where: `${where} ${status}`,
                  zod: spec.schema,
                  io: 'output' as const,
                  schema: Object.values(docOp.responses[status]?.content ?? {})[0]?.schema,
                },
              ]
            : [],
        ),
      ];
    });

  it('names the shared schemas in components.schemas and every operation $refs one', () => {
    const names = Object.keys((doc.components as { schemas: Json }).schemas);
    expect(names).toEqual(
      expect.arrayContaining([
        'Problem',
        'FieldError',
        'ProcessAccepted',
        'ProcessView',
        'OpenUserIbRequest',
        'OnboardingResult',
        'CreateChallengeRequest',
        'MfaChallengeState',
        'MfaChallengeCreated',
        'MfaChallengeVerified',
        'MaskedDestination',
        'E164Phone',
      ]),
    );
    // Every name is one given with named() (or its Output variant), none made up from an operation.
    const own = (name: string) =>
      apiSchemas._idmap.has(name) || apiSchemas._idmap.has(name.replace(/Output$/, ''));
    expect(names.filter((name) => !own(name))).toEqual([]);
    const all = sites();
    expect(all.length).toBeGreaterThan(100);
    for (const site of all)
      expect({ [site.where]: site.schema }).toEqual({
        [site.where]: { $ref: expect.stringMatching(/^#\/components\/schemas\/[A-Za-z0-9]+$/) },
      });
    // The problem+json error is one component, not a copy per response.
    const problems = all.filter((site) => site.zod === problem);
    expect(problems.length).toBeGreaterThan(50);
    for (const site of problems) expect(site.schema).toEqual({ $ref: `${REF}Problem` });
    // Shared pieces are refs inside the schemas that use them.
    const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, Json> }> })
      .schemas;
    expect(schemas.MfaChallengeState?.properties.customerCommunication).toEqual({
      $ref: `${REF}CustomerCommunication`,
    });
    expect(schemas.CustomerCommunication?.properties.phone).toEqual({
      type: 'array',
      items: { $ref: `${REF}MaskedDestination` },
    });
    expect(schemas.OpenUserIbRequest?.properties.phone).toEqual({ $ref: `${REF}E164Phone` });
  });

  it('validates responses through the $refs, nested ones included', () => {
    const validate = responseValidator(doc);
    const state: z.input<typeof mfaState> = {
      processId: 'mfa-1',
      serviceKey: '5b0c3c1e-0000-4000-8000-000000000001',
      purpose: 'LOGIN',
      userId: 'u-1',
      status: 'PENDING',
      mfaType: 'SECURE_ACCESS_CODE',
      codeLength: 6,
      createdAt: '2026-01-01T00:00:00Z',
      expiresAt: '2026-01-01T00:05:00Z',
      remainingVerifyAttempts: 3,
      remainingResendAttempts: 2,
      resendAvailableAt: null,
      maxVerifyAttempts: 3,
      maxResendRequestsAllowed: 2,
      customerCommunication: { phone: [{ masked: '+2547****0001', referenceId: 'p1' }], email: [] },
      deliveryMode: 'SEND_AT_ONCE',
      sentTo: { phone: ['p1'], email: [] },
      verifiedAt: null,
      consumedAt: null,
      consumedBy: null,
      failureCode: null,
    };
    expect(mfaState.safeParse(state).success).toBe(true);
    const get = (body: unknown) => validate('GET', '/mfa/challenges/{serviceKey}', 200, body);
    expect(get(state)).toEqual([]);
    expect(get({ ...state, purpose: 'NOPE' })).toEqual([
      expect.stringContaining('/purpose must be equal to one of'),
    ]);
    const phone = [{ referenceId: 'p1' }];
    expect(get({ ...state, customerCommunication: { phone, email: [] } })).toEqual([
      "/customerCommunication/phone/0 must have required property 'masked'",
    ]);
    expect(validate('GET', '/processes/{processId}', 404, { title: 'x' })).toEqual(
      expect.arrayContaining(["(root) must have required property 'code'"]),
    );
  });

  it('has no dangling $ref and no component nothing uses', () => {
    const refs: string[] = [];
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object')
        for (const [k, child] of Object.entries(v))
          if (k === '$ref') refs.push(child as string);
          else collect(child);
    };
    collect(doc);
    expect(refs.length).toBeGreaterThan(100);
    const resolve = (ref: string): unknown =>
      ref
        .replace(/^#\//, '')
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((at, p) => (at && typeof at === 'object' ? (at as Json)[p] : undefined), doc);
    const dangling = [...new Set(refs)].filter((r) => !r.startsWith('#/') || resolve(r) === undefined);
    expect(dangling).toEqual([]);
    const unused = Object.keys((doc.components as { schemas: Json }).schemas).filter(
      (name) => !refs.includes(`${REF}${name}`),
    );
    expect(unused).toEqual([]);
  });

  it('loses nothing by naming: each $ref resolves to what converting the zod schema inline gives', () => {
    const inline = (schema: z.ZodType, io: 'input' | 'output') => {
      const { $schema: _s, ...rest } = z.toJSONSchema(schema, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
        metadata: z.registry(),
      }) as Json;
      return rest;
    };
    // Descriptions come from the registry's metadata, which the inline conversion does not see.
    const noDescriptions = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(noDescriptions)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => k !== 'description')
                .map(([k, c]) => [k, noDescriptions(c)]),
            )
          : v;
    for (const site of sites())
      expect({ [site.where]: noDescriptions(deref(doc, site.schema)) }).toEqual({
        [site.where]: inline(site.zod, site.io),
      });
  });

  it('gives a schema read both ways, whose input and output differ, an <id>Output component', () => {
    const page = named('SyntheticPage', z.number().int().default(1));
    const query = named('SyntheticQuery', z.object({ page }));
    const search = named('SyntheticSearch', z.object({ query }));
    const label = named('SyntheticLabel', z.string());
    const labelled = named('SyntheticLabelled', z.strictObject({ label }));
    const routes: Route[] = [
      {
        method: 'post',
        path: '/search',
        tag: 'ops',
        summary: 'synthetic',
        body: search,
        responses: {
          200: { description: 'echo', schema: search },
          201: { description: 'x', schema: labelled },
        },
      },
      { method: 'put', path: '/label', tag: 'ops', summary: 'synthetic', body: labelled, responses: {} },
    ];
    const synthetic = openApiDocument('0', routes) as {
      paths: Record<string, Record<string, Json>>;
      components: { schemas: Record<string, { properties?: Record<string, Json>; required?: string[] }> };
    };
    const c = synthetic.components.schemas;
    // Page has a default: optional in Query on the way in, always there on the way out. Page itself
    // reads the same both ways; Search differs only because it refs Query.
    expect(Object.keys(c).sort()).toEqual([
      'SyntheticLabel',
      'SyntheticLabelled',
      'SyntheticPage',
      'SyntheticQuery',
      'SyntheticQueryOutput',
      'SyntheticSearch',
      'SyntheticSearchOutput',
    ]);
    expect(c.SyntheticSearch?.properties?.query).toEqual({ $ref: `${REF}SyntheticQuery` });
    expect(c.SyntheticSearchOutput?.properties?.query).toEqual({ $ref: `${REF}SyntheticQueryOutput` });
    expect(c.SyntheticQueryOutput?.required).toEqual(['page']);
    expect(c.SyntheticQuery?.required).toBeUndefined();
    expect(synthetic.paths['/search']?.post).toMatchObject({
      requestBody: { content: { 'application/json': { schema: { $ref: `${REF}SyntheticSearch` } } } },
      responses: {
        200: { content: { 'application/json': { schema: { $ref: `${REF}SyntheticSearchOutput` } } } },
      },
    });
    // Identical both ways: one name.
    expect(synthetic.paths['/label']?.put).toMatchObject({
      requestBody: { content: { 'application/json': { schema: { $ref: `${REF}SyntheticLabelled` } } } },
    });
    // A schema nobody named is inlined, never given a made-up name (the $ref test above fails on it).
    const unnamed = openApiDocument('0', [{ ...routes[1]!, body: z.object({ x: z.string() }) }]) as {
      paths: Record<string, Record<string, Json>>;
      components: { schemas?: Record<string, Json> };
    };
    expect(Object.keys(unnamed.components.schemas ?? {})).toEqual([]);
    expect(unnamed.paths['/label']?.put).toMatchObject({
      requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
    });
  });
});
