/**
 * Records the release baseline's remaining shapes (docs/design.md, "Release baseline r1")
 * into test/replay/histories/`<Type>.<tag>-<scenario>.history.pb`, running them for real
 * like record.ts: an onboarding answered at its milestone, one with a phone proof (and the
 * pre-login challenge it consumed), one whose first core-banking call falls back from local
 * to a regular activity, one cancelled while its create is on its way, one whose Early Return
 * request is replayed, one refused; a challenge refused, one sent to two legs, one offered
 * then sent to the chosen contact; a contact read (found and not); the server key check.
 * `npx tsx test/replay/record-release.ts <tag>`
 */
import { randomBytes } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { mintDevToken } from '../../lib/dev-keys';
import { KEY_CHECK_WORKFLOW, keyCheckWorkflowId } from '../../messages/key-check';
import { mfaProcessId } from '../../messages/mfa';
import { call, startStack, waitForProcess } from '../helpers/stack';
import { runsOf, tagOf, writeHistory } from './write-history';

const { PendingActivityState } = temporal.api.enums.v1;
const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
/** A seeded active user with a phone and an email on file (simulator/seed.ts). */
const USER_ID = 'IBU00100002';

async function main(): Promise<void> {
  const tag = tagOf(process.argv, 'record-release.ts');
  // DISPLAY_ALL only changes Infinity's routes: they offer the contacts first.
  const stack = await startStack({ INFINITY_MFA_COMMUNICATION_TYPE: 'DISPLAY_ALL' });
  const recorded: [string, string][] = [];
  try {
    const token = await stack.token(
      'ib-users:write mfa:write mfa:any-user processes:read institution-users:read institution-users:write',
    );
    const prelogin = await stack.token('mfa:prelogin');
    const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>, as = token) =>
      call(stack.apiUrl, method, url, { token: as, body, headers });
    const admin = (method: string, url: string, body?: unknown) =>
      call(stack.simulatorUrl, method, url, { body });
    const customer = (id: string) =>
      admin('POST', '/admin/customers', {
        customerId: id,
        firstName: 'Release',
        lastName: 'Baseline',
        phone: `+254700${id}`,
        email: `release.${id}@example.com`,
        products: [`SAV-${id}`],
      });
    const open = (customerId: string, requestId: string, extra = {}, headers?: Record<string, string>) =>
      api(
        'POST',
        '/open-user-ib',
        { requestId, customerId, channel: 'MOBILE', acceptedDisclosures: ['IB_TERMS', 'PRIVACY'], ...extra },
        headers,
      );
    const expect = (what: string, ok: boolean, got: unknown) => {
      if (!ok) throw new Error(`${what}: ${JSON.stringify(got)}`);
    };

    // Onboarding answered at its milestone (the userCreated Update).
    await customer('500001');
    const early = await open('500001', 'release-milestone-1', {}, { Prefer: 'milestone=user-created' });
    expect('milestone', early.status === 202 || early.status === 201, early.body);
    recorded.push(['onboard-500001', 'milestone']);

    // Onboarding with a phone proof: a pre-login ONBOARDING challenge, verified, consumed by the run.
    await customer('500002');
    const created = await api(
      'POST',
      '/mfa/challenges',
      { purpose: 'ONBOARDING', phone: '+254700500002' },
      {},
      prelogin,
    );
    expect('proof challenge', created.status === 201, created.body);
    const proof = {
      serviceKey: created.body.serviceKey as string,
      securityKey: created.body.securityKey as string,
    };
    const sms = stack
      .outbox('sms')
      .find((m) => String(m.id).startsWith(`${mfaProcessId(proof.serviceKey)}.`));
    const otp = /(\d{6}) is your verification code/.exec(String(sms?.body))?.[1];
    const verified = await api(
      'POST',
      `/mfa/challenges/${proof.serviceKey}/verify`,
      { securityKey: proof.securityKey, otp },
      {},
      prelogin,
    );
    expect('proof verify', verified.status === 200, verified.body);
    const proven = await open('500002', 'release-proof-1', { phoneProof: proof });
    expect('phone-proof onboarding', proven.status === 201, proven.body);
    recorded.push(['onboard-500002', 'phone-proof'], [mfaProcessId(proof.serviceKey), 'consumed']);

    // Onboarding whose first core-banking call is down past the local attempts: a regular activity.
    await customer('500003');
    await admin('PUT', '/admin/faults', {
      businessError: {
        operation: 'getCustomer',
        errorCode: 'SERVICE_UNAVAILABLE',
        status: 503,
        remaining: 6,
      },
    });
    await open('500003', 'release-fallback-1');
    await waitForProcess(stack, 'onboard-500003', 120_000);
    await admin('DELETE', '/admin/faults');
    recorded.push(['onboard-500003', 'fallback']);

    // Onboarding cancelled while its create is on its way (local attempts and the first regular
    // one refused, the second held in core banking): the create ends, then the user it made is
    // deactivated.
    await customer('500004');
    await admin('PUT', '/admin/faults', {
      businessError: {
        operation: 'createIbUser',
        errorCode: 'SERVICE_UNAVAILABLE',
        status: 503,
        remaining: 5,
      },
    });
    const cancelled = open('500004', 'release-cancel-in-create-1').catch(() => undefined);
    const onboarding = stack.client.workflow.getHandle('onboard-500004');
    const createAttempt = async (attempt: number, state: 'SCHEDULED' | 'STARTED') => {
      for (let i = 0; i < 600; i++) {
        const pending = await onboarding
          .describe()
          .then((d) => d.raw.pendingActivities?.find((a) => a.activityType?.name === 'createIbUser'))
          .catch(() => undefined);
        if (
          pending &&
          (pending.attempt ?? 0) >= attempt &&
          pending.state === PendingActivityState[`PENDING_ACTIVITY_STATE_${state}`]
        )
          return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`createIbUser attempt ${attempt} never ${state}`);
    };
    // The first regular attempt failed; hold core banking before the retry gets through.
    await createAttempt(2, 'SCHEDULED');
    await admin('PUT', '/admin/faults', { hang: true });
    await createAttempt(2, 'STARTED');
    await onboarding.cancel();
    await admin('PUT', '/admin/faults', { hang: false });
    await cancelled;
    await waitForProcess(stack, 'onboard-500004', 120_000);
    await admin('DELETE', '/admin/faults');
    recorded.push(['onboard-500004', 'cancel-in-create']);

    // Early Return replayed: the same request with the milestone while its run waits for the
    // checker answers the milestone again (a second userCreated Update); then approved.
    await customer('500005');
    await admin('PUT', '/admin/faults', { pendingAuthorisation: true });
    const pending = await open(
      '500005',
      'release-milestone-replayed-1',
      {},
      { Prefer: 'milestone=user-created' },
    );
    const replayed = await open(
      '500005',
      'release-milestone-replayed-1',
      {},
      { Prefer: 'milestone=user-created' },
    );
    expect('replayed milestone', replayed.status === pending.status && !!pending.body.userId, [
      pending,
      replayed,
    ]);
    await admin('PUT', '/admin/faults', { pendingAuthorisation: false });
    await admin('POST', `/admin/ib-users/${pending.body.userId as string}/authorise`, {
      decision: 'APPROVE',
    });
    recorded.push(['onboard-500005', 'milestone-replayed']);

    // Onboarding refused: no such customer.
    await open('599999', 'release-refused-1');
    await waitForProcess(stack, 'onboard-599999', 60_000);
    recorded.push(['onboard-599999', 'refused']);

    // A challenge refused: no such user.
    const refused = await api('POST', '/mfa/challenges', { purpose: 'STEP_UP', userId: 'IBU09999998' });
    expect('refused challenge', refused.status === 404, refused.body);
    const refusedRun = (await runsOf(stack, 'MfaChallenge', 2)).find(
      (id) => id !== mfaProcessId(proof.serviceKey),
    );
    recorded.push([refusedRun as string, 'refused']);

    // A pre-login challenge to a phone and an email: one send per leg.
    const twoLegs = await api(
      'POST',
      '/mfa/challenges',
      { purpose: 'ONBOARDING', phone: '+254711500010', email: 'two.legs@example.com' },
      {},
      prelogin,
    );
    expect('two-leg challenge', twoLegs.status === 201, twoLegs.body);
    recorded.push([mfaProcessId(twoLegs.body.serviceKey as string), 'two-legs']);

    // Offer, then send to the chosen contact (Infinity DISPLAY_ALL), then verify.
    const user = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: USER_ID });
    const infinity = (operation: string, body: unknown) =>
      api('POST', `${INFINITY}/${operation}`, body, {}, user);
    const offered = await infinity('requestUpdateSecurityQuestionsOTP', { MFAAttributes: {} });
    const attrs = offered.body.MFAAttributes as Record<string, unknown>;
    expect('offer', attrs?.status === 'OFFERED', offered.body);
    const serviceKey = attrs.serviceKey as string;
    const securityKey = attrs.securityKey as string;
    const contacts = attrs.customerCommunication as { phone?: { referenceId: string }[] } | undefined;
    const phone = contacts?.phone?.[0]?.referenceId;
    expect('offered phone', !!phone, attrs);
    const chosen = await infinity('requestUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { phone, securityKey } },
    });
    expect('choice', chosen.status === 200, chosen.body);
    const code = /(\d{6}) is your verification code/.exec(
      String(
        stack
          .outbox('sms')
          .filter((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`))
          .at(-1)?.body,
      ),
    )?.[1];
    const ok = await infinity('verifyUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { securityKey, otp: code } },
    });
    expect('offer verify', ok.status === 200, ok.body);
    recorded.push([mfaProcessId(serviceKey), 'offer-then-choose']);

    // Candescent's contact read: found, and not found.
    const found = await api('GET', '/customers/100004/contact-info');
    expect('contact read', found.status === 200, found.body);
    const [foundRun] = await runsOf(stack, 'ReadContactInfo', 1);
    const missing = await api('GET', '/customers/599998/contact-info');
    expect('contact read, missing', missing.status === 404, missing.body);
    const missingRun = (await runsOf(stack, 'ReadContactInfo', 2)).find((id) => id !== foundRun);
    recorded.push([foundRun as string, 'found'], [missingRun as string, 'not-found']);

    // The API's server key check, as /readyz runs it.
    const nonce = randomBytes(16).toString('hex');
    await stack.client.workflow.execute(KEY_CHECK_WORKFLOW, {
      workflowId: keyCheckWorkflowId(nonce),
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ nonce }],
      workflowExecutionTimeout: '1 minute',
    });
    recorded.push([keyCheckWorkflowId(nonce), 'check']);

    for (const [id] of recorded) if (id.startsWith('onboard-')) await waitForProcess(stack, id, 120_000);
    for (const [id, scenario] of recorded) await writeHistory(stack, id, `${tag}-${scenario}`);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
