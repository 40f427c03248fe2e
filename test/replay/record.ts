/**
 * Records one history per workflow type into test/replay/histories/ by running the
 * processes for real (dev server, real worker, simulator). Run it when a workflow is
 * released: `npx tsx test/replay/record.ts <tag>` (the release baseline: `r1`) writes
 * `<Type>.<tag>.history.pb`. Pinned types keep only the current release's histories; an
 * auto-upgrade entity's older ones stay beside them, since its runs move to new code
 * (docs/design.md, "Release baseline r1").
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { userLockWorkflowId } from '../../messages/mfa-user-lock';
import { call, startStack, waitForProcess } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

async function main(): Promise<void> {
  const tag = process.argv[2];
  if (!tag || !/^[a-z0-9-]+$/.test(tag)) throw new Error('usage: record.ts <tag> (a-z, 0-9, -)');
  // A short cooling-off, so the phone change records its durable timer too.
  const stack = await startStack({ PHONE_CHANGE_COOLING_OFF_MINUTES: '1' });
  try {
    const token = await stack.token(
      'ib-users:write mfa:write mfa:any-user processes:read institution-users:write',
    );
    const api = (method: string, url: string, body?: unknown) =>
      call(stack.apiUrl, method, url, { token, body });
    const opened = await api('POST', '/open-user-ib', {
      requestId: 'replay-open-0001',
      customerId: '100005',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    const userId = opened.body.userId as string;
    const phone = '+254711900005';
    const challenge = await api('POST', '/mfa/challenges', { purpose: 'UPDATE_PHONE', userId, phone });
    const { serviceKey, securityKey } = challenge.body as { serviceKey: string; securityKey: string };
    const sms = stack.outbox('sms').filter((m) => m.to === phone);
    const code = /(\d{6}) is your verification code/.exec(String(sms.at(-1)?.body))?.[1];
    await api('POST', `/mfa/challenges/${serviceKey}/verify`, {
      securityKey,
      otp: code === '000000' ? '000001' : '000000',
    });
    await api('POST', `/mfa/challenges/${serviceKey}/verify`, { securityKey, otp: code });
    const onFile = '+254700100005';
    const step = await api('POST', '/mfa/challenges', { purpose: 'STEP_UP', userId });
    const stepUp = {
      serviceKey: step.body.serviceKey as string,
      securityKey: step.body.securityKey as string,
    };
    const stepSms = stack.outbox('sms').filter((m) => m.to === onFile);
    const stepCode = /(\d{6}) is your verification code/.exec(String(stepSms.at(-1)?.body))?.[1];
    await api('POST', `/mfa/challenges/${stepUp.serviceKey}/verify`, {
      securityKey: stepUp.securityKey,
      otp: stepCode,
    });
    await api('POST', '/update-user-ib', {
      requestId: 'replay-phone-0001',
      userId,
      newPhone: phone,
      mfa: { serviceKey, securityKey },
      stepUp: { serviceKey: stepUp.serviceKey, securityKey: stepUp.securityKey },
    });
    await api('PUT', '/customers/100004/contact-info', {
      email: { emailAddress: 'daniel.replay@example.com' },
    });
    const ids = [`onboard-100005`, `mfa-${serviceKey}`, `phone-${userId}`, 'contact-100004'];
    for (const id of ids) await waitForProcess(stack, id, 180_000);
    // The wrong code started the user's lock entity, the right one emptied it: it has ended.
    const userLock = userLockWorkflowId(userId);
    await stack.client.workflow.getHandle(userLock).result();
    const quota = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowType = 'MfaDestinationQuota'` }))
      quota.push(w.workflowId);
    const dir = path.join(__dirname, 'histories');
    for (const id of [...ids, ...quota.slice(0, 1), userLock]) {
      const handle = stack.client.workflow.getHandle(id);
      const { type } = await handle.describe();
      const history = await handle.fetchHistory();
      await decodeHistoryInPlace(history, stack.codec);
      // Binary protobuf: exact, and independent of the SDK's JSON helpers.
      const file = path.join(dir, `${type}.${tag}.history.pb`);
      fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
      console.log(
        `recorded ${type} (${history.events?.length} events) → ${path.relative(process.cwd(), file)}`,
      );
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
