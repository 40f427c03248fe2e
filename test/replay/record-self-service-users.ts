/**
 * Records MBanq's self-service user processes (docs/design.md, "Release baseline r1") into
 * test/replay/histories/`<Type>.<tag>.history.pb`: a create, an update of its roles and
 * clients, and a read, run for real against a Keycloak started here (IDENTITY_PROVIDER=keycloak).
 * `npx tsx test/replay/record-self-service-users.ts <tag>`
 */
import { selfServiceUserProcessId, selfServiceUserUpdateProcessId } from '../../messages/self-service-users';
import { keycloakServiceEnv } from '../../scripts/launcher/keycloak';
import { startKeycloak } from '../helpers/keycloak';
import { call, startStack, waitForProcess } from '../helpers/stack';
import { runsOf, tagOf, writeHistory } from './write-history';

const BUSINESS = '430001';
const LINKED = ['430002', '430003'];

async function main(): Promise<void> {
  const tag = tagOf(process.argv, 'record-self-service-users.ts');
  const kc = await startKeycloak();
  try {
    const stack = await startStack(keycloakServiceEnv(kc));
    try {
      const admin = await kc.clientToken('ops');
      const api = (method: string, url: string, body?: unknown) =>
        call(stack.apiUrl, method, url, { token: admin, body });
      const customer = (customerId: string, extra: Record<string, unknown> = {}) =>
        call(stack.simulatorUrl, 'POST', '/admin/customers', {
          body: {
            customerId,
            firstName: 'Acme',
            lastName: `Client${customerId}`,
            phone: `+254700${customerId}`,
            email: `c${customerId}@example.com`,
            products: [`CUR-${customerId}`],
            ...extra,
          },
        });
      for (const id of LINKED) await customer(id);
      await customer(BUSINESS, { type: 'BUSINESS', relatedCustomerIds: LINKED });
      const password = 'Erp-release-pass-2026';
      const created = await api('POST', '/v1/users', {
        requestId: 'release-ssu-create-1',
        username: 'erp.release01',
        firstname: 'Erp',
        lastname: 'Release',
        email: 'erp.release@acme.example',
        officeId: 1,
        roles: ['self-service-contact-info'],
        isSelfServiceUser: true,
        clients: [BUSINESS, ...LINKED],
        password,
        repeatPassword: password,
        resetPasswordAfterFirstLogin: true,
      });
      if (created.status !== 201)
        throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
      const userId = created.body.userId as string;
      const put = await api('PUT', `/v1/users/${userId}`, {
        requestId: 'release-ssu-put-1',
        clients: [BUSINESS, LINKED[0]],
        roles: [],
      });
      if (put.status !== 200) throw new Error(`update answered ${put.status}: ${JSON.stringify(put.body)}`);
      const read = await api('GET', `/v1/users/${userId}`);
      if (read.status !== 200) throw new Error(`read answered ${read.status}: ${JSON.stringify(read.body)}`);
      const ids = [
        selfServiceUserProcessId('erp.release01'),
        selfServiceUserUpdateProcessId(userId),
        ...(await runsOf(stack, 'ReadSelfServiceUser', 1)).slice(0, 1),
      ];
      for (const id of ids.slice(0, 2)) await waitForProcess(stack, id, 120_000);
      for (const id of ids) await writeHistory(stack, id, tag);
    } finally {
      await stack.stop();
    }
  } finally {
    await kc.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
