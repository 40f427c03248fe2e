import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createVerifier, InvalidTokenError } from '../../api/http/auth';

/**
 * AUTH_USER_ID_CLAIM: a Keycloak customer token names its IB user in `ib_user_id` (from an
 * admin-only user attribute), while `sub` is Keycloak's own id; a channel backend's
 * client-credentials token has no such claim and stays bound by `sub`.
 */
describe('token verifier: the IB user id claim', () => {
  let sign: (payload: JWTPayload) => Promise<string>;
  let keys: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
    sign = (payload) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
        .setIssuer('https://kc/realms/ibmb')
        .setAudience('ibmb-api')
        .setExpirationTime('5m')
        .sign(privateKey);
  });

  const verifier = (userIdClaim?: string) =>
    createVerifier(keys, {
      issuer: 'https://kc/realms/ibmb',
      audience: 'ibmb-api',
      tokenTypes: ['JWT'],
      ...(userIdClaim && { userIdClaim }),
    });

  it("binds a customer's token to its ib_user_id, not Keycloak's sub", async () => {
    const token = await sign({ sub: 'f3c1-keycloak-uuid', ib_user_id: 'IBU00100002', scope: 'mfa:write' });
    expect((await verifier('ib_user_id').verify(token)).subject).toBe('IBU00100002');
    // Without the setting (other issuers), sub as before.
    expect((await verifier().verify(token)).subject).toBe('f3c1-keycloak-uuid');
  });

  it("binds a channel backend's token, which has no IB user, by sub", async () => {
    const token = await sign({ sub: 'service-account-uuid', scope: 'ib-users:write mfa:any-user' });
    expect((await verifier('ib_user_id').verify(token)).subject).toBe('service-account-uuid');
  });

  it('refuses a token whose IB user claim is there but empty or not a string (no fallback to sub)', async () => {
    for (const bad of ['', ['IBU00100002'], 42]) {
      const token = await sign({ sub: 'f3c1-keycloak-uuid', ib_user_id: bad });
      await expect(verifier('ib_user_id').verify(token)).rejects.toThrow(InvalidTokenError);
    }
  });
});
