/**
 * Records the less travelled paths as replay histories (test/replay/histories/
 * `<Type>.<tag>-<scenario>.history.pb`): MFA resend, lockout and expiry; onboarding with
 * maker-checker, with compensation, and with a failed create; a contact change through
 * propagation rounds, and one a linked system refuses. Runs the processes for real like
 * record.ts: `npx tsx test/replay/record-scenarios.ts <tag>` (a quota's continue-as-new:
 * record-quota-rollover.ts). A run still open (a
 * challenge waiting out its grace) is recorded as far as it got: replay checks that too.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A linked system whose answer the script sets: 503 for the next `failures` calls, then `status`. */
async function linkedSystem() {
  const behaviour = { failures: 0, status: 204 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (behaviour.failures > 0) {
        behaviour.failures--;
        res.writeHead(503).end();
      } else res.writeHead(behaviour.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    behaviour,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function main(): Promise<void> {
  const tag = process.argv[2];
  if (!tag || !/^[a-z0-9-]+$/.test(tag)) throw new Error('usage: record-scenarios.ts <tag> (a-z, 0-9, -)');
  const alerts = await linkedSystem();
  const stack = await startStack({
    MFA_OTP_TTL_SECONDS: '30',
    MFA_RESEND_COOLDOWN_SECONDS: '0',
    LINKED_SYSTEMS: JSON.stringify([{ name: 'alerts', url: alerts.url, secret: 'scenario-secret-1' }]),
  });
  const recorded: [string, string][] = [];
  try {
    const token = await stack.token(
      'ib-users:write mfa:write mfa:any-user processes:read institution-users:write',
    );
    const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
      call(stack.apiUrl, method, url, { token, body, headers });
    const admin = (method: string, url: string, body?: unknown) =>
      call(stack.simulatorUrl, method, url, { body });
    const customer = (id: string) =>
      admin('POST', '/admin/customers', {
        customerId: id,
        firstName: 'Replay',
        lastName: 'Scenario',
        phone: `+254700${id}`,
        email: `replay.${id}@example.com`,
        products: [`SAV-${id}`],
      });
    const codeFor = (phone: string) =>
      /(\d{6}) is your verification code/.exec(
        String(
          stack
            .outbox('sms')
            .filter((m) => m.to === phone)
            .at(-1)?.body,
        ),
      )?.[1] as string;
    const challenge = async (phone: string) => {
      const res = await api('POST', '/mfa/challenges', { purpose: 'ONBOARDING', phone });
      return res.body as { serviceKey: string; securityKey: string };
    };
    // Distinct wrong codes: a verify's Update id is a digest of its request, so the same
    // wrong code typed again is the same attempt (answered once, counted once).
    const wrong = (code: string, i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

    // MFA: a resend, then the right code.
    const resent = await challenge('+254711800001');
    await api('POST', `/mfa/challenges/${resent.serviceKey}/resend`, { securityKey: resent.securityKey });
    await api('POST', `/mfa/challenges/${resent.serviceKey}/verify`, {
      securityKey: resent.securityKey,
      otp: codeFor('+254711800001'),
    });
    recorded.push([`mfa-${resent.serviceKey}`, 'resend']);
    // MFA: five wrong codes lock it.
    const locked = await challenge('+254711800002');
    for (let i = 0; i < 5; i++) {
      await api('POST', `/mfa/challenges/${locked.serviceKey}/verify`, {
        securityKey: locked.securityKey,
        otp: wrong(codeFor('+254711800002'), i),
      });
    }
    recorded.push([`mfa-${locked.serviceKey}`, 'lockout']);
    // MFA: left to expire (recorded below, after its 30 s).
    const expired = await challenge('+254711800003');
    recorded.push([`mfa-${expired.serviceKey}`, 'expiry']);
    const expiresAt = Date.now() + 31_000;

    // Onboarding through maker-checker.
    await customer('400001');
    await admin('PUT', '/admin/faults', { pendingAuthorisation: true });
    await api(
      'POST',
      '/open-user-ib',
      {
        requestId: 'replay-maker-0001',
        customerId: '400001',
        channel: 'BRANCH',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
      { Prefer: 'wait=2' },
    );
    await admin('DELETE', '/admin/faults');
    const [pending] = (await admin('GET', '/admin/customers/400001')).body.ibUsers as { userId: string }[];
    await admin('POST', `/admin/ib-users/${pending?.userId}/authorise`, { decision: 'APPROVE' });
    await waitForProcess(stack, 'onboard-400001', 90_000);
    recorded.push(['onboard-400001', 'maker-checker']);
    // Onboarding compensated: the password cannot be set.
    await customer('400002');
    await admin('PUT', '/admin/faults', {
      businessError: { operation: 'setPassword', errorCode: 'INVALID_STATE', remaining: 1 },
    });
    await api('POST', '/open-user-ib', {
      requestId: 'replay-comp-0001',
      customerId: '400002',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    recorded.push(['onboard-400002', 'compensation']);
    // Onboarding whose create fails: the by-key compensation.
    await customer('400003');
    await admin('PUT', '/admin/faults', {
      businessError: { operation: 'createIbUser', errorCode: 'INVALID_STATE', remaining: 1 },
    });
    await api('POST', '/open-user-ib', {
      requestId: 'replay-create-0001',
      customerId: '400003',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    await admin('DELETE', '/admin/faults');
    recorded.push(['onboard-400003', 'failed-create']);

    // A contact change through a failed propagation round.
    await customer('400004');
    alerts.behaviour.failures = 3; // one round of three attempts
    await api('PUT', '/customers/400004/contact-info', {
      email: { emailAddress: 'rounds.400004@example.com' },
    });
    await waitForProcess(stack, 'contact-400004', 90_000);
    recorded.push(['contact-400004', 'propagation-rounds']);
    // A contact change a linked system refuses for good.
    await customer('400005');
    alerts.behaviour.status = 410;
    await api('PUT', '/customers/400005/contact-info', {
      email: { emailAddress: 'refused.400005@example.com' },
    });
    await waitForProcess(stack, 'contact-400005', 90_000);
    alerts.behaviour.status = 204;
    recorded.push(['contact-400005', 'propagation-refused']);

    await sleep(Math.max(0, expiresAt - Date.now()));
    await write(stack, tag, recorded);
  } finally {
    await stack.stop();
    await alerts.close();
  }
}

async function write(stack: Stack, tag: string, recorded: [string, string][]): Promise<void> {
  const dir = path.join(__dirname, 'histories');
  for (const [id, scenario] of recorded) {
    const handle = stack.client.workflow.getHandle(id);
    const { type, status } = await handle.describe();
    const history = await handle.fetchHistory();
    await decodeHistoryInPlace(history, stack.codec);
    const file = path.join(dir, `${type}.${tag}-${scenario}.history.pb`);
    fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded ${type} ${scenario} (${status.name}, ${history.events?.length} events) → ${file}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
