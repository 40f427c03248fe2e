import { z } from 'zod';

export interface ComponentMeta {
  /** The component name in the OpenAPI document (`#/components/schemas/<id>`). */
  id: string;
  description?: string;
}

/** The names given with named(): test/api/openapi.test.ts checks the document makes up no other. */
export const apiSchemas = z.registry<ComponentMeta>();

/**
 * Compile-time: a response schema describes exactly the messages/ type the workflow returns
 * (no field missing or extra, the same types), checked both ways. The type stays the one
 * source in messages/, which imports no zod (it is in the workflow bundle); the schema that
 * documents it cannot drift from it. Use as `Holds<SameShape<typeof schema, Type>>`.
 */
export type SameShape<S extends z.ZodType, T> =
  (<U>() => U extends Flat<z.output<S>> ? 1 : 2) extends <U>() => U extends Flat<T> ? 1 : 2 ? true : false;
/** An object type with its members spelled out, nested ones too: an interface and a type literal compare. */
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
export type Holds<T extends true> = T;

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
