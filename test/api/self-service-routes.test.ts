import { SignJWT } from 'jose';
import { DEV_JWT_ALG, loadOrCreateDevKey, mintDevToken } from '../../lib/dev-keys';
import { startApiApp, type ListeningApi } from '../helpers/api-app';
import { call } from '../helpers/stack';

/**
 * The self-service routes' refusals that need no workflow: each is answered before the API
 * talks to Temporal (whose client here connects to nothing), so nothing can have started.
 */
describe('self-service routes refuse before anything starts', () => {
  const apps: ListeningApi[] = [];
  afterAll(async () => {
    for (const a of apps) await a.stop();
  });
  const start = async (env: Record<string, string> = {}) => {
    const app = await startApiApp(env);
    apps.push(app);
    return app;
  };
  const admin = (app: ListeningApi) => mintDevToken(app.config, { scopes: ['self-service-users:write'] });
  /** A self-service user's token as Keycloak shapes it: ib user as subject, a clients claim. */
  const selfService = async (
    app: ListeningApi,
    clients: string[],
    scope = 'self-service:contact-info processes:read',
  ) => {
    const key = await loadOrCreateDevKey(app.config.keysDir);
    return new SignJWT({ scope, clients })
      .setProtectedHeader({ alg: DEV_JWT_ALG, kid: key.kid, typ: 'JWT' })
      .setSubject('IBU0001')
      .setIssuer(app.config.AUTH_ISSUER)
      .setAudience(app.config.AUTH_AUDIENCE)
      .setExpirationTime('5m')
      .sign(key.privateKey);
  };
  const body = (o: Record<string, unknown> = {}) => ({
    requestId: 'ssu-api-00000001',
    username: 'erp.robot01',
    firstname: 'Erp',
    lastname: 'Robot',
    email: 'erp@acme.example',
    officeId: 1,
    isSelfServiceUser: true,
    clients: ['420001', '420002'],
    ...o,
  });
  const refusal = async (app: ListeningApi, method: string, url: string, token: string, b?: unknown) => {
    const res = await call(app.url, method, url, { token, body: b });
    return [res.status, res.body.code];
  };

  it('without an identity provider every self-service route is 501', async () => {
    const app = await start();
    const token = await admin(app);
    expect(await refusal(app, 'POST', '/v1/users', token, body())).toEqual([
      501,
      'SELF_SERVICE_USERS_UNAVAILABLE',
    ]);
    expect(await refusal(app, 'PUT', '/v1/users/IBU0001', token, { roles: [] })).toEqual([
      501,
      'SELF_SERVICE_USERS_UNAVAILABLE',
    ]);
    expect(await refusal(app, 'GET', '/v1/users/IBU0001', token)).toEqual([
      501,
      'SELF_SERVICE_USERS_UNAVAILABLE',
    ]);
  });

  it('refuses a mismatched repeatPassword, a weak password, a password with sendPasswordToEmail, and a non-self-service user', async () => {
    const app = await start({ IDENTITY_PROVIDER: 'keycloak', KEYCLOAK_URL: 'http://127.0.0.1:9' });
    const token = await admin(app);
    const post = (o: Record<string, unknown>) => refusal(app, 'POST', '/v1/users', token, body(o));
    expect(await post({ password: 'Erp-strong-pass-2026', repeatPassword: 'Erp-strong-pass-2027' })).toEqual([
      422,
      'PASSWORD_MISMATCH',
    ]);
    expect(await post({ password: 'Erp-strong-pass-2026' })).toEqual([422, 'PASSWORD_MISMATCH']);
    expect(await post({ password: 'password1234', repeatPassword: 'password1234' })).toEqual([
      422,
      'PASSWORD_POLICY',
    ]);
    expect(await post({ password: 'erp.robot01-long', repeatPassword: 'erp.robot01-long' })).toEqual([
      422,
      'PASSWORD_POLICY',
    ]);
    expect(
      await post({
        password: 'Erp-strong-pass-2026',
        repeatPassword: 'Erp-strong-pass-2026',
        sendPasswordToEmail: true,
      }),
    ).toEqual([400, 'VALIDATION_FAILED']);
    expect(await post({ isSelfServiceUser: false })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await post({ roles: ['admin'] })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await post({ clients: [] })).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('a self-service token acts only for its clients and reads only its own user; it cannot create users', async () => {
    const app = await start({ IDENTITY_PROVIDER: 'keycloak', KEYCLOAK_URL: 'http://127.0.0.1:9' });
    const token = await selfService(app, ['420001', '420002']);
    const change = { email: { emailAddress: 'x@y.example' } };
    expect(await refusal(app, 'PUT', '/customers/420004/contact-info', token, change)).toEqual([
      403,
      'CUSTOMER_NOT_LINKED',
    ]);
    expect(await refusal(app, 'GET', '/v1/users/IBU0002', token)).toEqual([403, 'SUBJECT_MISMATCH']);
    expect(await refusal(app, 'POST', '/v1/users', token, body())).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect(await refusal(app, 'PUT', '/v1/users/IBU0001', token, { roles: [] })).toEqual([
      403,
      'INSUFFICIENT_SCOPE',
    ]);
    // The self-service scope on a token without a clients claim acts for nobody.
    const bare = await mintDevToken(app.config, { scopes: ['self-service:contact-info'] });
    expect(await refusal(app, 'PUT', '/customers/420001/contact-info', bare, change)).toEqual([
      403,
      'SELF_SERVICE_TOKEN_REQUIRED',
    ]);
  });
});
