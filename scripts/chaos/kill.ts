import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MFA_CHALLENGE_WORKFLOW } from '../../messages/mfa';
import { ONBOARD_WORKFLOW } from '../../messages/onboarding';
import {
  changeContactInfo,
  changePhone,
  resendChallenge,
  runsStarted,
  waitFor,
  emptyTally,
  pool,
  seedCustomers,
  setFaults,
  settle,
  startChallenge,
  startOnboarding,
  tokensFor,
  verify,
  type Challenge,
  type Onboarding,
  type ContactChange,
  type PhoneChange,
  type Tally,
  type Tokens,
} from './load';
import { countReceived, FTP, OTP, Receivers, type Delivery } from './receiver';
import { ChaosStack, repoRoot, sleep, type Part, type StackOptions } from './stack';
import { temporalCli } from '../../lib/tools';

export interface KillEvent {
  part: string;
  /** Requests started when the kill came. */
  atRequest: number;
  downMs: number;
  /** From the kill until the part was ready again. */
  recoveryMs: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  onboardings: number;
  challenges: number;
  tally: Tally;
  events: KillEvent[];
  /** From the last restart until no accepted run was in flight. */
  settleMs: number;
  durationMs: number;
  /** What the audit trail tells, in a line. */
  story?: string;
  phoneChanges?: number;
  contactChanges?: number;
  /** Lines for the report under the table. */
  notes?: string[];
  /** How many times the gateway got the code it held when the worker was killed. */
  heldRedeliveries?: number;
}

export interface KillOptions {
  onboardings: number;
  challenges: number;
  /** Concurrent clients. */
  concurrency?: number;
  /** Which parts (or named processes, e.g. 'worker2') to kill, in order (default worker, api, temporal). */
  parts?: (Part | string)[];
  /** Stack options, e.g. an external Temporal server and two workers. */
  stack?: StackOptions;
  /** Name and description in the report. */
  name?: string;
  /** How long each part stays down. */
  downMs?: number;
  /** Phone changes (UPDATE_PHONE challenge → verify → POST /update-user-ib) under the kills. */
  phoneChanges?: number;
  /** Email changes through PUT /customers/{id}/contact-info under the kills. */
  contactChanges?: number;
  /** LOGIN challenges to onboarded users' registered phone and email (the email leg). */
  logins?: number;
  /** How many of the MFA challenges also get a resend. */
  resends?: number;
  /** Reset one completed onboarding with `temporal workflow reset` after the kills (default on). */
  opsReset?: boolean;
  log?: (line: string) => void;
}

/**
 * With onboardings, MFA challenges (some resent), phone changes and contact-info changes
 * in flight, `kill -9` the worker (at the moment the SMS gateway has taken a message but
 * not yet answered), then the API, then the Temporal dev server (SQLite file), restarting
 * each; then resets one completed onboarding the way ops would, and checks every accepted
 * request completed exactly once, counting what reached the SMS gateway, the SMTP server
 * and the webhook receivers (`Receivers`), and the runs Temporal started.
 */
export async function runKillScenario(opts: KillOptions): Promise<ScenarioResult> {
  const log = opts.log ?? (() => undefined);
  const parts = opts.parts ?? ['worker', 'api', 'temporal'];
  const downMs = opts.downMs ?? 3_000;
  const started = Date.now();
  const receivers = new Receivers();
  await receivers.start();
  const stack = new ChaosStack({
    keepData: process.env.CHAOS_KEEP_DATA === '1',
    ...opts.stack,
    env: {
      ...receivers.env(),
      // The longest code validity: codes are verified after every run has settled.
      MFA_OTP_TTL_SECONDS: '600',
      // Resends come right after the first code.
      MFA_RESEND_COOLDOWN_SECONDS: '0',
      ...opts.stack?.env,
    },
  });
  const tally = emptyTally();
  const events: KillEvent[] = [];
  const notes: string[] = [];
  try {
    await stack.start();
    log(`stack up (DATA_DIR ${stack.dataDir})`);
    const tokens = await tokensFor(stack);
    const customers = await seedCustomers(stack, opts.onboardings, 700_000);
    const onboardings: Onboarding[] = customers.map((c) => ({
      ...c,
      requestId: `chaos-${c.customerId}`,
      accepted: false,
    }));
    const challenges: Challenge[] = Array.from({ length: opts.challenges }, (_, i) => ({
      phone: `+25410${String(1_000_000 + i)}`, // Kenyan mobiles: MFA_ALLOWED_COUNTRIES
      accepted: false,
    }));
    const resent = new Set(challenges.slice(0, opts.resends ?? 0).map((c) => c.phone));
    const { phoneChanges, contactChanges, logins } = await onboardedUsers(
      stack,
      tokens,
      opts.phoneChanges ?? 0,
      opts.contactChanges ?? 0,
      opts.logins ?? 0,
    );
    challenges.push(...logins);
    // Slow core banking a little, so runs are still in flight when the kills come.
    await setFaults(stack, { latencyMs: 150 });

    const codesTo = (phone: string) =>
      [
        ...new Set(
          receivers
            .sms()
            .filter((m) => m.to === phone)
            .map((m) => OTP.exec(m.text)?.[1])
            .filter((x): x is string => !!x),
        ),
      ].reverse();
    // Interleave the kinds of request; the kills come at even points of the stream.
    const work: (() => Promise<void>)[] = [];
    const deadline = () => Date.now() + 180_000;
    const n = Math.max(onboardings.length, challenges.length, phoneChanges.length, contactChanges.length);
    for (let i = 0; i < n; i++) {
      const o = onboardings[i];
      const c = challenges[i];
      const p = phoneChanges[i];
      const cc = contactChanges[i];
      if (o) work.push(() => startOnboarding(stack, tokens, tally, o, deadline()));
      if (c)
        work.push(async () => {
          await startChallenge(stack, tokens, tally, c, deadline());
          if (!c.accepted || !resent.has(c.phone)) return;
          await waitFor(() => (codesTo(c.phone).length ? true : undefined), 60_000);
          await resendChallenge(stack, tokens, tally, c, deadline());
        });
      if (p) work.push(() => changePhone(stack, tokens, tally, p, codesTo, deadline()));
      if (cc) work.push(() => changeContactInfo(stack, tokens, tally, cc, deadline()));
    }
    let begun = 0;
    let held: Delivery | undefined;
    const killAt = parts.map((_, k) => Math.floor(((k + 1) * work.length) / (parts.length + 1)));
    const killer = (async () => {
      for (const [k, part] of parts.entries()) {
        while (begun < (killAt[k] ?? 0)) await sleep(20);
        const atRequest = begun;
        // The worker dies between the provider taking a code and the activity learning so:
        // the gateway holds its answer to the next code until the worker is gone.
        let release = () => undefined as void;
        if (part === 'worker' && !held) {
          const hold = receivers.holdNext((d) => d.kind === 'sms' && OTP.test(d.text));
          release = hold.release;
          held = await Promise.race([hold.received, sleep(15_000).then(() => undefined)]);
          if (!held) notes.push('No code reached the gateway within 15 s of the worker kill point.');
        }
        const t0 = Date.now();
        log(
          `kill -9 ${part} at request ${atRequest}/${work.length}${part === 'worker' && held ? ' (the gateway holding its answer to a code)' : ''}`,
        );
        await stack.kill(part);
        release();
        await sleep(downMs);
        await stack.startPart(part);
        const recoveryMs = Date.now() - t0;
        log(`${part} back after ${recoveryMs} ms`);
        events.push({ part, atRequest, downMs, recoveryMs });
      }
    })();
    await pool(work, opts.concurrency ?? 16, async (run) => {
      begun++;
      await run();
    });
    await killer;
    const settleMs = await settle(stack, tokens, onboardings, challenges, 180_000);
    await settleProcesses(stack, tokens, [
      ...phoneChanges.filter((p) => p.accepted).map((p) => `phone-${p.userId}`),
      ...contactChanges.filter((c) => c.accepted).map((c) => `contact-${c.customerId}`),
    ]);
    log(`settled after ${settleMs} ms`);
    await setFaults(stack, null);

    let reset: { phone: string; at: number } | undefined;
    if (opts.opsReset ?? true) {
      const o = onboardings.find((x) => x.accepted);
      if (o?.processId) {
        reset = { phone: o.phone, at: Date.now() };
        await opsReset(stack, o.processId);
        await settle(stack, tokens, [o], [], 120_000);
        notes.push(
          `Ops reset: \`temporal workflow reset --type FirstWorkflowTask\` on the completed \`${o.processId}\`; ` +
            'its new run is checked like every other onboarding (one user, one username webhook id, the password in its SMS).',
        );
        log(`ops reset of ${o.processId} done`);
      }
    }

    await verify(stack, tokens, onboardings, challenges, tally, {
      sms: receivers.sms().map((m) => ({ to: m.to, body: m.text })),
      webhooks: receivers
        .webhooks()
        .map((w) => ({ id: w.id, webhookId: w.id, type: w.type, payload: w.payload })),
    });
    await verifyChanges(stack, tokens, phoneChanges, contactChanges, tally);

    // What the receiving side got: a resend delivers the same code once more; the reset
    // onboarding's password may go out again (its sealed password, the same text).
    // The reset run's first-time password is counted on its own: the reset goes back to
    // before the password was sealed; the run seals it again, derived, so the same password.
    const afterReset = (d: Delivery) =>
      !!reset && d.kind === 'sms' && d.to === reset.phone && d.at >= reset.at && FTP.test(d.text);
    const received = countReceived(
      receivers.deliveries.filter((d) => !afterReset(d)),
      (key) => ([...resent].some((ph) => key === `sms ${ph} otp`) ? 2 : 1),
    );
    if (reset) {
      const password = (d?: Delivery) => (d ? FTP.exec(d.text)?.[1] : undefined);
      const before = password(
        receivers
          .sms()
          .filter((d) => d.to === reset?.phone && d.at < (reset?.at ?? 0) && FTP.test(d.text))
          .at(-1),
      );
      const again = receivers.deliveries.filter(afterReset);
      tally.resetPasswords = {
        same: again.filter((d) => password(d) === before).length,
        different: again.filter((d) => password(d) !== before).length,
      };
      notes.push(
        `After the ops reset the customer got ${again.length} more first-time-password SMS: ` +
          `${tally.resetPasswords.same} with the same password, ${tally.resetPasswords.different} with a new one ` +
          '(a reset to the first workflow task re-runs the sealing of the password, which derives the same one).',
      );
    }
    // Runs started against requests accepted: an MFA create whose answer was lost (API
    // killed mid-call) and was retried is a second challenge and a second code.
    const mfaAccepted =
      challenges.filter((c) => c.accepted).length +
      phoneChanges.filter((p) => p.mfa).length +
      phoneChanges.filter((p) => p.stepUp).length;
    const mfaRuns = await runsStarted(stack, MFA_CHALLENGE_WORKFLOW);
    const onboardRuns = await runsStarted(stack, ONBOARD_WORKFLOW);
    const onboardAccepted =
      onboardings.filter((o) => o.accepted).length +
      phoneChanges.length +
      contactChanges.length +
      logins.length;
    tally.orphanRuns =
      Math.max(0, mfaRuns.workflowIds - mfaAccepted) + Math.max(0, onboardRuns.workflowIds - onboardAccepted);
    // Each orphan challenge can explain one extra code to a phone; any more is a duplicate.
    const codeDups = received.details.filter((d) => d.startsWith('duplicate:') && d.includes(' otp')).length;
    const explained = Math.min(codeDups, tally.orphanRuns);
    tally.duplicated += received.duplicated - explained;
    tally.redelivered = received.redelivered;
    tally.received = {
      sms: received.sms,
      email: received.email,
      webhooks: received.webhooks,
      logical: received.logical,
    };
    if (received.duplicated - explained > 0)
      tally.details.push(...received.details.filter((d) => d.startsWith('duplicate:')));
    const redeliveries = received.details.filter((d) => d.startsWith('redelivered:'));
    if (redeliveries.length) notes.push(`Redelivered: ${redeliveries.map((d) => d.slice(13)).join('; ')}.`);
    notes.push(
      `Receiving side: ${received.sms} SMS, ${received.email} emails, ${received.webhooks} webhooks for ${received.logical} logical messages ` +
        `(recipient + purpose); ${received.redelivered} redelivered with the same content, ${received.duplicated} with different content ` +
        `(${explained} of them codes of orphan challenges). Temporal started ${mfaRuns.workflowIds} MFA challenges for ${mfaAccepted} accepted, ` +
        `${onboardRuns.workflowIds} onboardings (${onboardRuns.runs} runs) for ${onboardAccepted} accepted.`,
    );
    // The held code, by its digits (the text's "expires in N minutes" changes between tries).
    const heldCode = held && OTP.exec(held.text)?.[1];
    const heldCount = () =>
      receivers.sms().filter((m) => m.to === held?.to && OTP.exec(m.text)?.[1] === heldCode).length;
    if (held) {
      const again = heldCount();
      notes.push(
        `Kill mid-send: the gateway had taken a code for \`${held.to.slice(0, 4)}…${held.to.slice(-3)}\` when the worker was killed; ` +
          `it received that same code ${again} times in all (the retried activity re-sends it; Kannel's sendsms has no message id to de-duplicate on).`,
      );
    }
    return {
      name: opts.name ?? 'process-kills',
      description:
        `kill -9 ${parts.join(', then ')} (each down ${downMs / 1000} s, then restarted) with requests in flight` +
        (held ? '; the worker while the SMS gateway held a code unanswered' : ''),
      onboardings: opts.onboardings,
      challenges: opts.challenges + logins.length,
      phoneChanges: phoneChanges.length,
      contactChanges: contactChanges.length,
      tally,
      events,
      settleMs,
      durationMs: Date.now() - started,
      notes,
      heldRedeliveries: held ? heldCount() : undefined,
    };
  } catch (e) {
    for (const name of ['temporal', 'simulator', 'worker', 'api']) {
      log(`--- ${name} log tail ---\n${stack.tail(name)}`);
    }
    throw e;
  } finally {
    await stack.stop();
    await receivers.stop();
  }
}

/**
 * Customers onboarded before the kills (or a brownout), for the phone and contact-info
 * changes and the LOGIN challenges. `base` numbers the customers and the new phones, so
 * several calls on one stack never share one.
 */
export async function onboardedUsers(
  stack: ChaosStack,
  tokens: Tokens,
  phones: number,
  contacts: number,
  logins: number,
  base = 750_000,
): Promise<{ phoneChanges: PhoneChange[]; contactChanges: ContactChange[]; logins: Challenge[] }> {
  const customers = await seedCustomers(stack, phones + contacts + logins, base);
  const tally = emptyTally();
  const onboardings: Onboarding[] = customers.map((c) => ({
    ...c,
    requestId: `chaos-pre-${c.customerId}`,
    accepted: false,
  }));
  await pool(onboardings, 8, (o) => startOnboarding(stack, tokens, tally, o, Date.now() + 60_000));
  await settle(stack, tokens, onboardings, [], 60_000);
  const users = await Promise.all(
    customers.map(async (c) => {
      const r = await fetch(`${stack.simulatorUrl}/admin/customers/${c.customerId}`);
      const body = (await r.json()) as { ibUsers?: { userId: string }[]; email?: string };
      const userId = body.ibUsers?.[0]?.userId;
      if (!userId) throw new Error(`setup: customer ${c.customerId} has no IB user`);
      return { ...c, userId, email: String(body.email) };
    }),
  );
  return {
    phoneChanges: users.slice(0, phones).map((u, i) => ({
      customerId: u.customerId,
      userId: u.userId,
      oldPhone: u.phone,
      newPhone: `+25412${String(1_000_000 + base - 750_000 + i)}`,
      requestId: `chaos-phone-${u.customerId}`,
      accepted: false,
    })),
    logins: users
      .slice(phones + contacts)
      .map((u) => ({ phone: u.phone, userId: u.userId, accepted: false })),
    contactChanges: users.slice(phones, phones + contacts).map((u) => ({
      customerId: u.customerId,
      oldEmail: u.email,
      newEmail: `new.${u.customerId}@example.test`,
      idempotencyKey: `chaos-contact-${u.customerId}`,
      accepted: false,
    })),
  };
}

export async function settleProcesses(stack: ChaosStack, tokens: Tokens, ids: string[]): Promise<void> {
  const pending = new Set(ids);
  const until = Date.now() + 180_000;
  while (pending.size && Date.now() < until) {
    for (const id of [...pending]) {
      const r = await fetch(`${stack.apiUrl}/processes/${id}`, {
        headers: { authorization: `Bearer ${tokens.read}` },
      }).catch(() => undefined);
      if (r?.ok && ((await r.json()) as { status?: string }).status !== 'RUNNING') pending.delete(id);
    }
    if (pending.size) await sleep(1_000);
  }
}

/** Phone and contact-info changes: the process completed, core banking has the new value, the challenge was spent. */
export async function verifyChanges(
  stack: ChaosStack,
  tokens: Tokens,
  phones: PhoneChange[],
  contacts: ContactChange[],
  t: Tally,
): Promise<void> {
  const json = async (url: string, token?: string) => {
    const r = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return (await r.json()) as Record<string, unknown>;
  };
  for (const p of phones) {
    if (!p.accepted) continue;
    t.accepted++;
    const proc = await json(`${stack.apiUrl}/processes/phone-${p.userId}`, tokens.read);
    const customer = await json(`${stack.simulatorUrl}/admin/customers/${p.customerId}`);
    const mfa = await json(`${stack.apiUrl}/mfa/challenges/${p.mfa?.serviceKey}`, tokens.mfa);
    if (proc.status === 'RUNNING') {
      t.stuck++;
      t.details.push(`stuck: phone-${p.userId}`);
    } else if (
      proc.status === 'COMPLETED' &&
      customer.mobilePhone === p.newPhone &&
      mfa.status === 'CONSUMED'
    )
      t.completed++;
    else {
      t.lost++;
      t.details.push(
        `lost: phone-${p.userId} status=${String(proc.status)} phoneChanged=${customer.mobilePhone === p.newPhone} mfa=${String(mfa.status)}`,
      );
    }
  }
  for (const c of contacts) {
    if (!c.accepted) continue;
    t.accepted++;
    const proc = await json(`${stack.apiUrl}/processes/contact-${c.customerId}`, tokens.read);
    const customer = await json(`${stack.simulatorUrl}/admin/customers/${c.customerId}`);
    if (proc.status === 'RUNNING') {
      t.stuck++;
      t.details.push(`stuck: contact-${c.customerId}`);
    } else if (proc.status === 'COMPLETED' && customer.email === c.newEmail) t.completed++;
    else {
      t.lost++;
      t.details.push(
        `lost: contact-${c.customerId} status=${String(proc.status)} emailChanged=${customer.email === c.newEmail}`,
      );
    }
  }
}

const execFileAsync = promisify(execFile);

/** `temporal workflow reset` of a completed run (to its first workflow task by default), as ops would. */
export async function opsReset(
  stack: ChaosStack,
  workflowId: string,
  type: 'FirstWorkflowTask' | 'LastWorkflowTask' = 'FirstWorkflowTask',
): Promise<void> {
  const cli = temporalCli(repoRoot);
  await execFileAsync(cli, [
    'workflow',
    'reset',
    '--address',
    stack.temporalAddress,
    '--namespace',
    'default',
    '--workflow-id',
    workflowId,
    '--type',
    type,
    '--reason',
    'chaos: ops reset of a completed onboarding',
  ]);
}
