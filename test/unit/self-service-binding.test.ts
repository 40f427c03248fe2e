import { exportJWK, generateKeyPair, SignJWT, createLocalJWKSet } from 'jose';
import { createVerifier, type Principal } from '../../api/http/auth';
import { assertActsFor } from '../../api/http/self-service';
import { ProblemError } from '../../api/http/problem';

/** A self-service user's token acts only for the customers in its `clients` claim. */
describe('self-service token binding', () => {
  const principal = (scopes: string[], clients?: string[]): Principal => ({
    subject: 'U1',
    scopes: new Set(scopes),
    expiresAt: Date.now() + 60_000,
    ...(clients && { clients }),
  });
  const refusal = (p: Principal, customerId: string) => {
    try {
      assertActsFor(p, customerId, 'institution-users:write');
      return undefined;
    } catch (e) {
      return e instanceof ProblemError ? [e.status, e.code] : e;
    }
  };

  it('lets a self-service token act for its clients only, with one answer for every other id', () => {
    const p = principal(['self-service:contact-info'], ['B1', 'C1']);
    expect(refusal(p, 'C1')).toBeUndefined();
    expect(refusal(p, 'B1')).toBeUndefined();
    expect(refusal(p, 'C9')).toEqual([403, 'CUSTOMER_NOT_LINKED']);
    expect(refusal(p, 'does-not-exist')).toEqual([403, 'CUSTOMER_NOT_LINKED']);
  });

  it('refuses the self-service scope on a token without a clients claim; staff are not bound', () => {
    expect(refusal(principal(['self-service:contact-info']), 'C1')).toEqual([
      403,
      'SELF_SERVICE_TOKEN_REQUIRED',
    ]);
    expect(refusal(principal(['institution-users:write']), 'C1')).toBeUndefined();
  });

  it('reads the clients claim from a verified token; an empty or malformed one is no claim', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] });
    const verifier = createVerifier(keys, { issuer: 'iss', audience: 'aud', tokenTypes: ['at+jwt'] });
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ scope: 'processes:read', ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .setIssuer('iss')
        .setAudience('aud')
        .setSubject('U1')
        .setExpirationTime('5m')
        .sign(privateKey);
    expect((await verifier.verify(await sign({ clients: ['B1', 'C1'] }))).clients).toEqual(['B1', 'C1']);
    expect((await verifier.verify(await sign({ clients: 'B1' }))).clients).toEqual(['B1']);
    expect(await verifier.verify(await sign({ clients: [] }))).not.toHaveProperty('clients');
    expect(await verifier.verify(await sign({ clients: [7, ''] }))).not.toHaveProperty('clients');
    expect(await verifier.verify(await sign({}))).not.toHaveProperty('clients');
  });
});
