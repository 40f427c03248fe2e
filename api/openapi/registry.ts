import { z } from 'zod';

export interface ComponentMeta {
  /** The component name in the OpenAPI document (`#/components/schemas/<id>`). */
  id: string;
  description?: string;
}

/** The names given with named(): test/api/openapi.test.ts checks the document makes up no other. */
export const apiSchemas = z.registry<ComponentMeta>();

/**
 * Names `schema` as the component `id` (zod's global registry, which zod-openapi reads: a
 * schema with an id becomes a `$ref`ed component wherever a route uses it) and returns it
 * unchanged, so routes and tests hold the very schema the document was made from.
 */
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  // A second schema under the same name would silently take it over.
  if (apiSchemas._idmap.has(id) || z.globalRegistry._idmap.has(id))
    throw new Error(`OpenAPI component name ${id} is used twice`);
  const meta = description ? { id, description } : { id };
  apiSchemas.add(schema, meta);
  z.globalRegistry.add(schema, meta);
  return schema;
}
