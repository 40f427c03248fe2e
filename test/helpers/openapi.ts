import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import { openApiDocument, openApiPath } from '../../api/openapi/document';

type Json = Record<string, unknown>;

/** `METHOD /path` of every route an Express app serves (routers mounted at the root). */
export function expressRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: unknown[]) => {
    for (const layer of stack as {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: unknown[] };
    }[]) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods))
          out.push(`${m.toUpperCase()} ${openApiPath(layer.route.path)}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return [...new Set(out)].sort();
}

export function documentedRoutes(doc: Json = openApiDocument()): string[] {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();
}

/**
 * An ajv that compiles the document's schemas: they `$ref` `#/components/schemas/…`, so each
 * is compiled with the document's components beside it (ajv ignores the unknown keyword but
 * resolves JSON pointers through it).
 */
export function schemaCompiler(doc: Json = openApiDocument(), opts: { allErrors?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: false, ...opts });
  addFormats(ajv);
  return (schema: Json) => ajv.compile({ ...schema, components: doc.components });
}

/** `schema` with every `#/components/schemas/…` reference replaced by its target. */
export function deref(doc: Json, schema: unknown): unknown {
  const components = (doc.components as { schemas: Record<string, unknown> }).schemas;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const { $ref, ...rest } = v as Json;
    const own = Object.fromEntries(Object.entries(rest).map(([k, c]) => [k, walk(c)]));
    if (typeof $ref !== 'string') return own;
    const name = /^#\/components\/schemas\/([^/]+)$/.exec($ref)?.[1];
    const target = name === undefined ? undefined : components[name];
    if (target === undefined) throw new Error(`dangling $ref ${$ref}`);
    return { ...(walk(target) as Json), ...own };
  };
  return walk(schema);
}

/** Validates real responses against the document's response schemas (JSON Schema 2020-12). */
export function responseValidator(doc: Json = openApiDocument()) {
  const compile = schemaCompiler(doc, { allErrors: true });
  return (method: string, path: string, status: number, body: unknown): string[] => {
    const op = (doc.paths as Record<string, Record<string, Json>>)[path]?.[method.toLowerCase()];
    if (!op) return [`${method} ${path} is not documented`];
    const responses = op.responses as Record<string, Json>;
    const spec = responses[String(status)] ?? responses.default;
    if (!spec) return [`${method} ${path} does not document status ${status}`];
    const content = spec.content as Record<string, { schema?: Json }> | undefined;
    const schema = content && Object.values(content)[0]?.schema;
    if (!schema) return [];
    const validate = compile(schema);
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
  };
}
