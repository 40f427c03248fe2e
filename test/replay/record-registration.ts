/**
 * Records `SelfRegistration.<tag>.history.pb` (a registration verified and completed) and
 * `OnboardIbUser.<tag>-disclosures.history.pb` (an onboarding recording versioned
 * disclosures) by running them for real: `npx tsx test/replay/record-registration.ts <tag>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { call, startStack, waitForProcess } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

async function main(): Promise<void> {
  const tag = process.argv[2];
  if (!tag || !/^[a-z0-9-]+$/.test(tag)) throw new Error('usage: record-registration.ts <tag> (a-z, 0-9, -)');
  const stack = await startStack();
  try {
    const token = await stack.token('ib-users:write registrations:write processes:read');
    const api = (method: string, url: string, body?: unknown) =>
      call(stack.apiUrl, method, url, { token, body });
    await api('POST', '/open-user-ib', {
      requestId: 'replay-open-v3-0001',
      customerId: '100001',
      channel: 'MOBILE',
      acceptedDisclosures: [{ id: 'IB_TERMS', version: 1 }, 'PRIVACY'],
    });
    const created = await api('POST', '/registrations', {
      requestId: 'replay-registration-0001',
      identity: { firstName: 'Grace', lastName: 'Njeri', dateOfBirth: '1995-09-09', nationalIdLast4: '0005' },
      username: 'grace.njeri',
      password: 'violet-harbour-lantern-42',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    const { registrationId, securityKey, processId } = created.body as Record<string, string>;
    const sms = stack.outbox('sms').filter((m) => m.to === '+254700100005');
    const otp = /(\d{6}) is your verification code/.exec(String(sms.at(-1)?.body))?.[1];
    const done = await api('POST', `/registrations/${registrationId}/verify`, { securityKey, otp });
    if (done.status !== 201) throw new Error(`registration not completed: ${JSON.stringify(done.body)}`);
    const recordings: [string, string][] = [
      ['onboard-100001', `OnboardIbUser.${tag}-disclosures`],
      [processId as string, `SelfRegistration.${tag}`],
    ];
    for (const [id] of recordings) await waitForProcess(stack, id, 120_000);
    const dir = path.join(__dirname, 'histories');
    for (const [id, name] of recordings) {
      const handle = stack.client.workflow.getHandle(id);
      await handle.result();
      const history = await handle.fetchHistory();
      await decodeHistoryInPlace(history, stack.codec);
      const file = path.join(dir, `${name}.history.pb`);
      fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
      console.log(
        `recorded ${name} (${history.events?.length} events) → ${path.relative(process.cwd(), file)}`,
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
