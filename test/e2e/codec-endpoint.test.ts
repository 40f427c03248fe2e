import { issueCodecCapability, keepCodecCapability } from '../../lib/codec-capability';
import { encodings, payloadsIn } from '../helpers/history';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/** The remote codec the Temporal UI uses: decodes real history payloads for ops, and only for them. */
describe('codec endpoint', () => {
  let stack: Stack;
  let encryptedInput: { metadata: Record<string, string>; data: string };

  beforeAll(async () => {
    // Below the default so the test body stays small; still far above API_BODY_LIMIT (32kb).
    stack = await startStack({ CODEC_BODY_LIMIT: '256kb' });
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

  it('decodes, and only decodes, on the capability path the launcher gives the UI', async () => {
    const secret = issueCodecCapability(stack.config.keysDir, 60_000);
    expect((await decode(`/codec/k/${secret}/decode`)).status).toBe(200);
    expect((await decode(`/codec/k/${secret}/encode`)).status).toBe(404);
    // A bearer token is no capability, whatever its scopes.
    const token = await stack.token('codec:decode codec:encode');
    expect((await decode(`/codec/k/${token}/decode`)).status).toBe(401);
    // A new capability replaces the old one.
    issueCodecCapability(stack.config.keysDir, 60_000);
    expect((await decode(`/codec/k/${secret}/decode`)).status).toBe(401);
  });

  it('refuses an expired capability, and keeps a renewed one working past its first expiry', async () => {
    const expired = issueCodecCapability(stack.config.keysDir, 0);
    expect((await decode(`/codec/k/${expired}/decode`)).status).toBe(401);
    const kept = keepCodecCapability(stack.config.keysDir, 900);
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      expect((await decode(`/codec/k/${kept.secret}/decode`)).status).toBe(200);
    } finally {
      kept.stop();
    }
    expect((await decode(`/codec/k/${kept.secret}/decode`)).status).toBe(401);
  });

  it('encodes only for codec:encode: a decode token cannot forge payloads', async () => {
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"forged"').toString('base64'),
    };
    const res = await call(stack.apiUrl, 'POST', '/codec/encode', {
      token: await stack.token('codec:decode'),
      body: { payloads: [plain] },
    });
    expect(res.status).toBe(403);
    expect(res.body.requiredScopes).toEqual(['codec:encode']);
  });

  it('applies its own body limit, after authentication', async () => {
    const token = await stack.token('codec:decode');
    // ~100 kB: over API_BODY_LIMIT, within CODEC_BODY_LIMIT.
    const many = { payloads: Array.from({ length: 200 }, () => encryptedInput) };
    expect(JSON.stringify(many).length).toBeGreaterThan(64 * 1024);
    const ok = await call(stack.apiUrl, 'POST', '/codec/decode', { token, body: many });
    expect(ok.status).toBe(200);
    expect(ok.body.payloads).toHaveLength(200);
    expect((await call(stack.apiUrl, 'POST', '/codec/decode', { body: many })).status).toBe(401);
    const huge = { payloads: Array.from({ length: 800 }, () => encryptedInput) };
    expect((await call(stack.apiUrl, 'POST', '/codec/decode', { token, body: huge })).status).toBe(413);
  });

  it('answers the UI origin CORS preflight, and no other origin', async () => {
    const ok = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    // With OIDC the UI also sends the ID token in Authorization-Extras.
    expect(ok.headers.get('access-control-allow-headers')?.split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'authorization-extras']),
    );
    const evil = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('round-trips encode → decode', async () => {
    const token = await stack.token('codec:encode codec:decode');
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
