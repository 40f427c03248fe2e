import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { PROBLEM_TYPE_BASE } from '../http/problem';
import { apiSchemas, type ComponentMeta } from './registry';
import type { Operation, ResponseSpec } from './operation';
import { operations } from './operations';

type Json = Record<string, unknown>;
type Io = 'input' | 'output';
type Registry = z.core.$ZodRegistry<ComponentMeta>;

const COMPONENTS = '#/components/schemas/';

/**
 * `components.schemas` for the operations, from the named zod schemas, and the `$ref` each
 * request body and response uses. Request bodies are described as zod parses them (`input`:
 * defaults optional, before transforms), responses as the service produces them (`output`). A
 * schema reached both ways whose two descriptions differ gets its input one as `<id>Input`;
 * everything else keeps its own name, so generated clients get one type per name.
 *
 * A body or response schema nobody named still gets a component, named after its operation
 * (`PostFooBody`, `GetFoo200`), so a new route cannot break the document; test/api/openapi.test.ts
 * fails on such names, as named() is how the schema gets a name a client can keep.
 */
function buildComponents(ops: Operation[], named: Registry) {
  // A copy, so the fallback names stay out of the registry the schemas were named in.
  const registry = z.registry<ComponentMeta>();
  for (const [id, schema] of named._idmap) registry.add(schema, { ...named.get(schema), id });
  const roots: { id: string; io: Io }[] = [];
  const idOf = (schema: z.ZodType, fallback: string) => {
    const id = registry.get(schema)?.id;
    if (id) return id;
    if (registry._idmap.has(fallback)) throw new Error(`component ${fallback} is also a schema's own name`);
    registry.add(schema, { id: fallback });
    return fallback;
  };
  for (const op of ops) {
    const name = operationId(op).replace(/^./, (c) => c.toUpperCase());
    if (op.body) roots.push({ id: idOf(op.body, `${name}Body`), io: 'input' });
    for (const [status, spec] of Object.entries(op.responses) as [string, ResponseSpec][])
      if (spec.schema)
        roots.push({
          id: idOf(spec.schema, `${name}${status === 'default' ? 'Default' : status}`),
          io: 'output',
        });
  }

  // Ids whose input schema is emitted as `<id>Input`; grows until the two sides agree.
  const split = new Set<string>();
  const nameOf = (id: string, io: Io) => (io === 'input' && split.has(id) ? `${id}Input` : id);
  for (;;) {
    const emitted = { input: emit(registry, 'input', nameOf), output: emit(registry, 'output', nameOf) };
    const reached = {
      input: reach(emitted.input, roots, 'input', nameOf),
      output: reach(emitted.output, roots, 'output', nameOf),
    };
    const differing = [...reached.input].filter(
      (id) =>
        reached.output.has(id) && !split.has(id) && !isDeepStrictEqual(emitted.input[id], emitted.output[id]),
    );
    if (differing.length) {
      // Renaming one changes the refs of those that use it, so look again.
      for (const id of differing) split.add(id);
      continue;
    }
    const schemas: Record<string, Json> = {};
    for (const io of ['output', 'input'] as const)
      for (const id of reached[io]) {
        const name = nameOf(id, io);
        if (name !== id && registry._idmap.has(name))
          throw new Error(`component ${name} is also a schema's own name`);
        schemas[name] = emitted[io][id] as Json;
      }
    return {
      schemas: Object.fromEntries(
        // Code-unit order, not the locale's: the generated client types must not depend on the machine.
        Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      ref: (schema: z.ZodType, io: Io) => ({ $ref: COMPONENTS + nameOf(registry.get(schema)?.id ?? '', io) }),
    };
  }
}

/** Every schema of the registry as JSON Schema 2020-12, each `$ref`ing the others by component name. */
function emit(registry: Registry, io: Io, nameOf: (id: string, io: Io) => string): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    metadata: registry,
    uri: (id) => COMPONENTS + nameOf(id, io),
  }) as { schemas: Record<string, Json> };
  const { __shared, ...named } = schemas;
  // zod puts an unnamed schema it must share (a cycle) there: it would have no component to live in.
  if (__shared)
    throw new Error(`name the recursive schemas: ${Object.keys(__shared.$defs ?? {}).join(', ')}`);
  return Object.fromEntries(
    Object.entries(named).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]),
  );
}

/** The ids reachable from the roots of one direction, through `$ref`s. */
function reach(
  emitted: Record<string, Json>,
  roots: { id: string; io: Io }[],
  io: Io,
  nameOf: (id: string, io: Io) => string,
) {
  const idByRef = new Map(Object.keys(emitted).map((id) => [COMPONENTS + nameOf(id, io), id]));
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) {
        const id = k === '$ref' && typeof child === 'string' ? idByRef.get(child) : undefined;
        if (id !== undefined) enter(id);
        else visit(child);
      }
  };
  const enter = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    visit(emitted[id]);
  };
  for (const root of roots) if (root.io === io) enter(root.id);
  return seen;
}

const operationId = (op: Operation) =>
  `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`;

/** `/processes/:processId` → `/processes/{processId}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

type Ref = ReturnType<typeof buildComponents>['ref'];

function response(spec: ResponseSpec, ref: Ref): Json {
  const type = spec.contentType ?? (spec.problem ? 'application/problem+json' : 'application/json');
  return {
    description: spec.description,
    headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } },
    ...(spec.schema || spec.contentType
      ? { content: { [type]: spec.schema ? { schema: ref(spec.schema, 'output') } : {} } }
      : {}),
  };
}

function operation(op: Operation, ref: Ref): Json {
  const params = [...op.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const headers = [
    {
      name: 'X-Request-Id',
      in: 'header',
      description: 'Correlation id, echoed (generated if absent)',
      schema: { type: 'string' },
    },
    { name: 'TransactionId', in: 'header', description: 'Alias of X-Request-Id', schema: { type: 'string' } },
    ...(op.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      description: h.description,
      required: !!h.required,
      schema: { type: 'string' },
    })),
  ];
  return {
    operationId: operationId(op),
    summary: op.summary,
    tags: [op.tag],
    parameters: [...params, ...headers],
    ...(op.scopes
      ? { security: op.anyScope ? op.scopes.map((s) => ({ bearer: [s] })) : [{ bearer: op.scopes }] }
      : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(op.body, 'input') } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([status, spec]) => [status, response(spec as ResponseSpec, ref)]),
    ),
  };
}

/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with. */
export function openApiDocument(
  version = '0.1.0',
  ops: Operation[] = operations,
  registry: Registry = apiSchemas,
): Json {
  const { schemas, ref } = buildComponents(ops, registry);
  const paths: Record<string, Json> = {};
  for (const op of ops) (paths[openApiPath(op.path)] ??= {})[op.method] = operation(op, ref);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'IB/MB user lifecycle service',
      version,
      description:
        'Durable internet & mobile banking user processes on Temporal. Errors are RFC 9457 problem+json with a ' +
        `stable \`code\`; types are under ${PROBLEM_TYPE_BASE}.`,
    },
    servers: [{ url: '/' }],
    tags: [
      'ib-users',
      'registrations',
      'institution-users',
      'self-service-users',
      'mfa',
      'temenos-infinity',
      'processes',
      'ops',
    ].map((name) => ({
      name,
    })),
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Scopes (claim `scope` or `scp`): ib-users:write; mfa:write (acts only for the user in `sub`), with ' +
            'mfa:any-user for a channel backend acting for any user; mfa:prelogin (pre-login ONBOARDING codes ' +
            'only; one naming a userId is concealed: the same answer whether or not the user exists or a code went out); institution-users:write (institution-users:read reads contact info); processes:read (the processes this subject started) and ' +
            'processes:read-all (operations staff); codec:decode, codec:encode; self-registration needs no scope (any valid token, as at Candescent); ' +
            "self-service-users:write (bank admins: POST /v1/users); self-service:contact-info (a self-service user's token, for the customers in its `clients` claim only). " +
            '`exp` and an access-token `typ` are required.',
        },
      },
      headers: { RequestId: { description: 'The request id', schema: { type: 'string' } } },
    },
    paths,
  };
}
