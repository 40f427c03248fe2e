import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface BenchHttpClient {
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  close(): void;
}

/**
 * The load generator's HTTP client: `node:http` over kept-alive sockets, as a channel
 * backend's client would be. Not `fetch`: on this machine undici's fetch cost the bench
 * process about 1 CPU-ms more per request (taken from the cores the stack runs on) and
 * added about 1.2 ms to each answer at concurrency 1, all charged to the HTTP path.
 */
export function benchHttpClient(baseUrl: string, token: string): BenchHttpClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const base = new URL(baseUrl);
  return {
    request: (method, url, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = http.request(
          {
            host: base.hostname,
            port: base.port,
            method,
            path: url,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              ...(payload !== undefined && {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(payload),
              }),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              try {
                resolve({
                  status: res.statusCode ?? 0,
                  body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
                });
              } catch (e) {
                reject(
                  new Error(
                    `${method} ${url} answered ${res.statusCode} with a body that is not JSON: ${String(e)}`,
                  ),
                );
              }
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}
