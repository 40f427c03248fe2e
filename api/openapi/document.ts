import { z } from 'zod';
import { PROBLEM_TYPE_BASE } from '../problem';
import type { Operation, ResponseSpec } from './operation';
import { operations } from './operations';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  return rest;
};

/** `/processes/:processId` → `/processes/{processId}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

function response(spec: ResponseSpec): Json {
  const type = spec.contentType ?? (spec.problem ? 'application/problem+json' : 'application/json');
  return {
    description: spec.description,
    headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } },
    ...(spec.schema || spec.contentType
      ? { content: { [type]: spec.schema ? { schema: schemaOf(spec.schema, 'output') } : {} } }
      : {}),
  };
}

function operation(op: Operation): Json {
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
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
    summary: op.summary,
    tags: [op.tag],
    parameters: [...params, ...headers],
    ...(op.scopes ? { security: [{ bearer: op.scopes }] } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(op.body, 'input') } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([status, spec]) => [status, response(spec as ResponseSpec)]),
    ),
  };
}

/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with. */
export function openApiDocument(version = '0.1.0'): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) (paths[openApiPath(op.path)] ??= {})[op.method] = operation(op);
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
    tags: ['ib-users', 'institution-users', 'mfa', 'temenos-infinity', 'processes', 'ops'].map((name) => ({
      name,
    })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Scopes (claim `scope` or `scp`): ib-users:write, mfa:write, institution-users:write, processes:read, codec:decode, codec:encode.',
        },
      },
      headers: { RequestId: { description: 'The request id', schema: { type: 'string' } } },
    },
    paths,
  };
}
