import type { z } from 'zod';
import type { Scope } from '../http/auth';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** problem+json instead of application/json. */
  problem?: boolean;
  contentType?: string;
}

/** One documented operation; `path` uses Express syntax (`/processes/:processId`). */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  description?: string;
  tag: string;
  scopes?: Scope[];
  /** `scopes` are alternatives (any one opens the route), not all required together. */
  anyScope?: boolean;
  body?: z.ZodType;
  headers?: { name: string; description: string; required?: boolean }[];
  responses: Partial<Record<number | 'default', ResponseSpec>>;
}
