import type { Client } from '@temporalio/client';
import { toProblem } from '../../api/http/to-problem';
import { createCommand, searchAttributeCheck } from '../../clients/search-attribute-check';
import { SearchAttributeType } from '@temporalio/common';

/** A gRPC status error as @grpc/grpc-js raises it, wrapped as the SDK wraps it. */
const grpcError = (code: number, details: string) =>
  Object.assign(new Error('start failed'), {
    cause: Object.assign(new Error(`${code} ${details}`), { code, details }),
  });

describe('a start refused for a missing search attribute', () => {
  it('is 503 SEARCH_ATTRIBUTES_MISSING naming it, not a 500', () => {
    const p = toProblem(
      grpcError(3, 'INVALID_ARGUMENT: no mapping defined for search attribute RequestKey for namespace x'),
    );
    expect(p.status).toBe(503);
    expect(p.code).toBe('SEARCH_ATTRIBUTES_MISSING');
    expect(p.extensions).toMatchObject({ missing: ['RequestKey'] });
  });

  it('leaves other invalid arguments a 500', () => {
    expect(toProblem(grpcError(3, 'INVALID_ARGUMENT: something else')).status).toBe(500);
  });
});

describe('searchAttributeCheck where the client may not list attributes (no operator rights)', () => {
  it('is unverified, not missing, and says so once', async () => {
    const warnings: string[] = [];
    const client = {
      options: { namespace: 'cloud-ns' },
      withDeadline: (_d: number, fn: () => Promise<unknown>) => fn(),
      connection: {
        operatorService: {
          listSearchAttributes: () =>
            Promise.reject(grpcError(7, 'PERMISSION_DENIED: Request unauthorized.')),
        },
      },
    } as unknown as Client;
    const check = searchAttributeCheck({
      client,
      logger: { warn: (_o: unknown, msg: string) => warnings.push(msg), error: () => undefined } as never,
    });
    expect(await check.status(1_000)).toEqual({ status: 'unverified', reason: 'not-permitted' });
    expect(await check.status(1_000)).toEqual({ status: 'unverified', reason: 'not-permitted' });
    expect(warnings).toHaveLength(1);
  });

  it('names the CLI type as the Temporal CLI spells it', () => {
    expect(createCommand('ns', 'RequestKey', SearchAttributeType.KEYWORD)).toBe(
      'temporal operator search-attribute create --namespace ns --name RequestKey --type Keyword',
    );
  });
});
