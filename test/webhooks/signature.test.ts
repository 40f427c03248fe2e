import { signWebhook, verifyWebhook, webhookSecretKey } from '../../adapters/webhooks/signature';

// Reference vector used by the Standard Webhooks libraries' own tests.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT_VECTOR_TIME = new Date(VECTOR.timestamp * 1000);

function vectorHeaders(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'webhook-id': VECTOR.id,
    'webhook-timestamp': String(VECTOR.timestamp),
    'webhook-signature': VECTOR.signature,
    ...overrides,
  };
}

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference vector', () => {
    expect(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('signs bytes the same as the equal string', () => {
    const bytes = Buffer.from(VECTOR.body);
    expect(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, bytes)).toBe(VECTOR.signature);
  });

  it('uses the utf8 bytes of a secret without the whsec_ prefix', () => {
    const raw = 'plain-shared-secret';
    const sig = signWebhook(raw, 'msg_1', 1700000000, '{}');
    expect(sig).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(sig).not.toBe(
      signWebhook('whsec_' + Buffer.from('other').toString('base64'), 'msg_1', 1700000000, '{}'),
    );
    // the same bytes given in whsec_ form sign identically
    const asWhsec = 'whsec_' + Buffer.from(raw).toString('base64');
    expect(signWebhook(asWhsec, 'msg_1', 1700000000, '{}')).toBe(sig);
  });

  it('refuses empty or malformed secrets and fractional timestamps', () => {
    expect(() => webhookSecretKey('')).toThrow(TypeError);
    expect(() => webhookSecretKey('whsec_')).toThrow(TypeError);
    expect(() => webhookSecretKey('whsec_not base64!')).toThrow(TypeError);
    expect(() => signWebhook(VECTOR.secret, 'msg_1', 1.5, '{}')).toThrow(TypeError);
  });
});

describe('verifyWebhook', () => {
  const verify = (headers: Record<string, string>, body = VECTOR.body, now = AT_VECTOR_TIME) =>
    verifyWebhook(VECTOR.secret, headers, body, { now });

  it('accepts the reference vector', () => {
    expect(verify(vectorHeaders())).toBe(true);
  });

  it('accepts fetch Headers and mixed-case header names', () => {
    expect(
      verifyWebhook(VECTOR.secret, new Headers(vectorHeaders()), VECTOR.body, { now: AT_VECTOR_TIME }),
    ).toBe(true);
    const mixed = { 'Webhook-Id': VECTOR.id, 'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp) };
    expect(verify({ ...mixed, 'Webhook-Signature': VECTOR.signature })).toBe(true);
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(verify(vectorHeaders(), '{"test": 2432232315}')).toBe(false);
    expect(verify(vectorHeaders({ 'webhook-id': 'msg_other' }))).toBe(false);
    const shifted = String(VECTOR.timestamp + 1);
    expect(verify(vectorHeaders({ 'webhook-timestamp': shifted }), VECTOR.body, AT_VECTOR_TIME)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    const other = 'whsec_' + Buffer.from('another-secret').toString('base64');
    expect(verifyWebhook(other, vectorHeaders(), VECTOR.body, { now: AT_VECTOR_TIME })).toBe(false);
  });

  it('rejects timestamps outside the tolerance, either side of now', () => {
    const later = (s: number) => new Date((VECTOR.timestamp + s) * 1000);
    expect(verify(vectorHeaders(), VECTOR.body, later(300))).toBe(true);
    expect(verify(vectorHeaders(), VECTOR.body, later(301))).toBe(false);
    expect(verify(vectorHeaders(), VECTOR.body, later(-301))).toBe(false);
    expect(
      verifyWebhook(VECTOR.secret, vectorHeaders(), VECTOR.body, { now: later(301), toleranceSeconds: 600 }),
    ).toBe(true);
    // default clock: a 2021 timestamp is long stale
    expect(verifyWebhook(VECTOR.secret, vectorHeaders(), VECTOR.body)).toBe(false);
  });

  it('accepts a space-separated list when one v1 entry matches', () => {
    const list = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${VECTOR.signature}`;
    expect(verify(vectorHeaders({ 'webhook-signature': list }))).toBe(true);
  });

  it('ignores other versions and malformed entries', () => {
    const b64 = VECTOR.signature.slice(3);
    expect(verify(vectorHeaders({ 'webhook-signature': `v2,${b64}` }))).toBe(false);
    expect(verify(vectorHeaders({ 'webhook-signature': b64 }))).toBe(false);
    expect(verify(vectorHeaders({ 'webhook-signature': `${VECTOR.signature},extra` }))).toBe(false);
    expect(verify(vectorHeaders({ 'webhook-signature': 'v1,short' }))).toBe(false);
  });

  it('rejects missing headers and non-numeric timestamps', () => {
    const { 'webhook-id': _id, ...noId } = vectorHeaders();
    expect(verify(noId)).toBe(false);
    expect(verify(vectorHeaders({ 'webhook-signature': '' }))).toBe(false);
    expect(verify(vectorHeaders({ 'webhook-timestamp': '1614265330.0' }))).toBe(false);
  });

  it('verifies what signWebhook produced for the current time', () => {
    const now = new Date();
    const ts = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify({ type: 'ib-user.created', data: { userId: 'U1' } });
    const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(ts) };
    const signature = signWebhook('raw secret', 'msg_2', ts, body);
    expect(verifyWebhook('raw secret', { ...headers, 'webhook-signature': signature }, body)).toBe(true);
  });
});
