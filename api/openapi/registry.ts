import { z } from 'zod';

export interface ComponentMeta {
  /** The component name in the OpenAPI document (`#/components/schemas/<id>`). */
  id: string;
  description?: string;
}

/**
 * The schemas the OpenAPI document names in `components.schemas`, so that generated clients
 * get named types. A dedicated registry rather than zod's global one: only what the API
 * names ends up in the document, whatever else in the process calls `.meta()`.
 */
export const apiSchemas = z.registry<ComponentMeta>();

/** Registers `schema` as the component `id` and returns it unchanged. */
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  // zod's registry would silently let the second schema take over the name.
  if (apiSchemas._idmap.has(id)) throw new Error(`OpenAPI component name ${id} is used twice`);
  apiSchemas.add(schema, description ? { id, description } : { id });
  return schema;
}
