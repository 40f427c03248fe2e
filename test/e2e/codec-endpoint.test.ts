import { encodings, payloadsIn } from '../helpers/history';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/** The remote codec the Temporal UI uses: decodes real history payloads for ops, and only for them. */
describe('codec endpoint', () => {
  let stack: Stack;
  let encryptedInput: { metadata: Record<string, string>; data: string };

  beforeAll(async () => {
    stack = await startStack();
    const token = await stack.token('ib-users:write processes:read');
    const res = await call(stack.apiUrl, 'POST', '/open-user-ib', {
      token,
      body: {
        requestId: 'codec-0001',
        customerId: '100005',
        channel: 'BRANCH',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
    });
    expect([201, 202]).toContain(res.status);
    await waitForProcess(stack, 'onboard-100005');
    const history = await stack.client.workflow.getHandle('onboard-100005').fetchHistory();
    expect(new Set(encodings(history))).toEqual(new Set(['binary/encrypted']));
    const [input] = payloadsIn(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input);
    encryptedInput = {
      metadata: Object.fromEntries(
        Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
      ),
      data: Buffer.from(input?.data ?? []).toString('base64'),
    };
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const decode = (url: string, token?: string, headers: Record<string, string> = {}) =>
    call(stack.apiUrl, 'POST', url, { token, body: { payloads: [encryptedInput] }, headers });

  it('decodes a real workflow input for a caller with codec:decode', async () => {
    const res = await decode('/codec/decode', await stack.token('codec:decode'));
    expect(res.status).toBe(200);
    const [p] = res.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(p?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(p?.data ?? '', 'base64').toString())).toMatchObject({
      customerId: '100005',
      channel: 'BRANCH',
    });
  });

  it('accepts the token on the capability path the launcher gives the UI', async () => {
    const token = await stack.token('codec:decode');
    expect((await decode(`/codec/k/${token}/decode`)).status).toBe(200);
  });

  it('refuses anonymous callers and other scopes', async () => {
    expect((await decode('/codec/decode')).status).toBe(401);
    expect((await decode('/codec/k/not-a-token/decode')).status).toBe(401);
    expect((await decode('/codec/decode', await stack.token('processes:read'))).status).toBe(403);
  });

  it('answers the UI origin CORS preflight, and no other origin', async () => {
    const ok = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const evil = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('round-trips encode → decode', async () => {
    const token = await stack.token('codec:decode');
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"hello"').toString('base64'),
    };
    const enc = await call(stack.apiUrl, 'POST', '/codec/encode', { token, body: { payloads: [plain] } });
    const encPayload = (enc.body.payloads as (typeof plain)[])[0];
    expect(Buffer.from(encPayload?.metadata.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
    const dec = await call(stack.apiUrl, 'POST', '/codec/decode', {
      token,
      body: { payloads: [encPayload] },
    });
    expect((dec.body.payloads as (typeof plain)[])[0]?.data).toBe(plain.data);
  });
});
