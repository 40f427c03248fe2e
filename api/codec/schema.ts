import { z } from 'zod';
import { named } from '../openapi/registry';

/** Temporal's remote-codec wire shape: proto3 JSON payloads, bytes as base64; in and out alike. */
export const jsonPayload = named(
  'CodecPayload',
  z.object({
    metadata: z.record(z.string(), z.string().max(4096)).optional(),
    data: z
      .string()
      .max(4 * 1024 * 1024)
      .optional(),
  }),
);
export const codecPayloads = named('CodecPayloads', z.object({ payloads: z.array(jsonPayload).max(1000) }));
export type JsonPayload = z.infer<typeof jsonPayload>;
