import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { PROBLEM_TYPE_BASE } from '../http/problem';
import type { ResponseSpec, Route } from '../http/route';
import { routeList } from '../routes';

type Json = Record<string, unknown>;

/** The operationId: method and path, camel-cased (`getProcessesProcessId`). */
const operationId = (route: Route) =>
  `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`;

/** `/processes/:processId` → `/processes/{processId}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

function response(spec: ResponseSpec): ZodOpenApiResponseObject {
  const type = spec.contentType ?? (spec.problem ? 'application/problem+json' : 'application/json');
  return {
    description: spec.description,
    headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } },
    ...(spec.schema || spec.contentType
      ? { content: { [type]: spec.schema ? { schema: spec.schema } : {} } }
      : {}),
  };
}

const header = (name: string, description: string, required?: boolean) => ({
  name,
  in: 'header' as const,
  description,
  ...(required !== undefined && { required }),
  schema: { type: 'string' as const },
});

function operation(route: Route): ZodOpenApiOperationObject {
  const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
    name: name!,
    in: 'path' as const,
    required: true,
    schema: { type: 'string' as const },
  }));
  const headers = [
    header('X-Request-Id', 'Correlation id, echoed (generated if absent)'),
    header('TransactionId', 'Alias of X-Request-Id'),
    ...(route.konyHeader
      ? [header('X-Kony-Authorization', 'The bearer token, as Infinity clients send it', false)]
      : []),
    ...(route.headers ?? []).map((h) => header(h.name, h.description, !!h.required)),
  ];
  const { scopes } = route;
  return {
    operationId: operationId(route),
    summary: route.summary,
    tags: [route.tag],
    parameters: [...params, ...headers],
    ...(scopes && {
      security: route.anyScope ? scopes.map((s) => ({ bearer: [s] })) : [{ bearer: scopes }],
    }),
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: route.body } } },
    }),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, spec]) => [status, response(spec as ResponseSpec)]),
    ),
  };
}

/**
 * The OpenAPI 3.1 document, generated (zod-openapi) from the route declarations and the zod
 * schemas the routes validate with. A schema named with named() becomes a component; one a
 * request and a response both use, whose two descriptions differ (an object refuses unknown
 * fields only in responses), is `<id>` as a request and `<id>Output` as a response.
 */
export function openApiDocument(version = '0.1.0', routes: Route[] = routeList): Json {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  const doc = createDocument({
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
  }) as unknown as Json & { components?: { schemas?: Json } };
  const schemas = doc.components?.schemas;
  // Code-unit order, not the order met: the generated client types must not depend on route order.
  if (schemas)
    doc.components!.schemas = Object.fromEntries(
      Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  return doc;
}
