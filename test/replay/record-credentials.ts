/**
 * Records the credential processes (docs/credentials.md) into test/replay/histories/ by
 * running them for real (dev server, real worker, simulator): an onboarding that arms the
 * first-time password's expiry, its expiry entity (re-armed by a reset, stopped by a
 * first login), the reset, a lock, and a security-questions change.
 * `npx tsx test/replay/record-credentials.ts <tag>` writes `<Type>.<tag>.history.pb`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { call, startStack, waitForProcess } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

async function main(): Promise<void> {
  const tag = process.argv[2];
  if (!tag || !/^[a-z0-9-]+$/.test(tag)) throw new Error('usage: record-credentials.ts <tag> (a-z, 0-9, -)');
  const stack = await startStack({ LINKED_SYSTEMS: JSON.stringify([{ name: 'alerts' }]) });
  try {
    const token = await stack.token(
      'ib-users:write mfa:write mfa:any-user processes:read institution-users:write',
    );
    const api = (method: string, url: string, body?: unknown) =>
      call(stack.apiUrl, method, url, { token, body });
    const phone = '+254700100005';
    const opened = await api('POST', '/open-user-ib', {
      requestId: 'replay-cred-open-1',
      customerId: '100005',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    const userId = opened.body.userId as string;
    const proof = async (purpose: string) => {
      const c = await api('POST', '/mfa/challenges', { purpose, userId });
      const mfa = { serviceKey: c.body.serviceKey as string, securityKey: c.body.securityKey as string };
      const sms = stack.outbox('sms').filter((m) => m.to === phone);
      const otp = /(\d{6}) is your verification code/.exec(String(sms.at(-1)?.body))?.[1];
      await api('POST', `/mfa/challenges/${mfa.serviceKey}/verify`, { securityKey: mfa.securityKey, otp });
      return mfa;
    };
    await api('POST', '/reset-user-ib', {
      requestId: 'replay-cred-reset-1',
      userId,
      mfa: await proof('RESET_PASSWORD'),
    });
    await api('POST', `/users/${userId}/first-login`);
    await api('PUT', `/users/${userId}/security-questions`, {
      requestId: 'replay-cred-secq-1',
      questions: [
        { questionId: 'FIRST_SCHOOL', answer: 'replay school' },
        { questionId: 'FIRST_PET', answer: 'replay pet' },
      ],
      mfa: await proof('UPDATE_SECURITY_QUESTIONS'),
    });
    await api('POST', `/users/${userId}/lock`, { requestId: 'replay-cred-lock-1', reason: 'recording' });
    const ids = [
      'onboard-100005',
      `pwexpiry-${userId}`,
      `reset-${userId}`,
      `secq-${userId}`,
      `status-${userId}`,
    ];
    for (const id of ids) await waitForProcess(stack, id, 180_000);
    const dir = path.join(__dirname, 'histories');
    for (const id of ids) {
      const handle = stack.client.workflow.getHandle(id);
      const { type, status } = await handle.describe();
      const history = await handle.fetchHistory();
      await decodeHistoryInPlace(history, stack.codec);
      const file = path.join(dir, `${type}.${tag}.history.pb`);
      fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
      console.log(`recorded ${type} (${status.name}, ${history.events?.length} events) → ${file}`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
