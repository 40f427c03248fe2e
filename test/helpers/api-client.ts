import createClient from 'openapi-fetch';
import type { paths } from './openapi-types.generated';
import { responseValidator } from './openapi';

/**
 * An openapi-fetch client typed by the generated document types: a path, parameter or body
 * the document does not have fails tsc. Every answer is also checked against the document's
 * schema for its path and status, so a response that drifts from it fails the call.
 */
export function apiClient(baseUrl: string, token?: string) {
  const client = createClient<paths>({
    baseUrl,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const validate = responseValidator();
  client.use({
    async onResponse({ request, response, schemaPath }) {
      const text = await response.clone().text();
      const errors = validate(
        request.method,
        schemaPath,
        response.status,
        text ? JSON.parse(text) : undefined,
      );
      if (errors.length)
        throw new Error(
          `${request.method} ${schemaPath} ${response.status} is not as documented: ${errors.join('; ')}`,
        );
      return response;
    },
  });
  return client;
}

export type ApiClient = ReturnType<typeof apiClient>;
