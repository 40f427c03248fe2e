import { onboardedUsers, opsReset, settleProcesses, verifyChanges, type ScenarioResult } from './kill';
import {
  changePhone,
  emptyTally,
  pool,
  resetPassword,
  seedCustomers,
  setFaults,
  settle,
  startChallenge,
  startOnboarding,
  tokensFor,
  verify,
  verifyResets,
  type Challenge,
  type Onboarding,
  type PasswordReset,
  type Tokens,
} from './load';
import { countReceived, OTP, Receivers } from './receiver';
import { ChaosStack, sleep } from './stack';

/**
 * Dependency faults, one after another on one stack: core-banking latency spikes, a 5xx
 * storm, timeouts and a hang (the simulator's fault injection), then the SMS provider
 * (a Kannel-speaking stand-in) and the channel's webhook receiver down for a while (both
 * `Receivers`, which count every delivery). Each
 * fault starts with requests in flight and is lifted after `holdMs`; then every accepted
 * request must complete exactly once, and the audit trail of a run shows what happened.
 */

interface Fault {
  name: string;
  description: string;
  on: () => Promise<void>;
  off: () => Promise<void>;
  /**
   * A brownout (a dependency slow, inside its adapter's timeout): nothing may reach a
   * receiver twice, so the same content received again counts as duplicated too.
   */
  brownout?: boolean;
}

export async function runFaultScenarios(opts: {
  smoke: boolean;
  log: (line: string) => void;
  /**
   * Only the brownout rows and the ops resets after a first login (`--only brownouts`, and
   * the CI smoke of them).
   */
  brownoutsOnly?: boolean;
  /** Every fault but the brownouts (`--only faults`: the brownouts have their own section). */
  noBrownouts?: boolean;
  /** Only these rows, by name. */
  names?: string[];
}): Promise<ScenarioResult[]> {
  const { log } = opts;
  const n = opts.smoke ? 10 : 50;
  const hold = (full: number, smoke: number) => (opts.smoke ? smoke : full);
  const providers = new Receivers();
  await providers.start();
  const stack = new ChaosStack({ keepData: process.env.CHAOS_KEEP_DATA === '1', env: providers.env() });
  const sim = (faults: Record<string, unknown> | null) => () => setFaults(stack, faults);
  const allFaults: (Fault & { holdMs: number })[] = [
    {
      name: 'latency-spike',
      description: 'core banking answers after 3 s (under its 5 s timeout)',
      on: sim({ latencyMs: 3_000 }),
      off: sim(null),
      holdMs: hold(20_000, 8_000),
    },
    {
      name: '5xx-storm',
      description: 'every core-banking call answers 5xx',
      on: sim({ errorRate: 1 }),
      off: sim(null),
      holdMs: hold(30_000, 10_000),
    },
    {
      name: 'timeouts',
      description: 'core banking answers after 8 s, past its 5 s client timeout',
      on: sim({ latencyMs: 8_000 }),
      off: sim(null),
      holdMs: hold(30_000, 12_000),
    },
    {
      name: 'hang',
      description: 'core banking holds every request open until released',
      on: sim({ hang: true }),
      off: sim(null),
      holdMs: hold(30_000, 10_000),
    },
    // Brownouts: slow, not down, and inside the adapters' own timeouts, for the whole load,
    // which then also holds LOGIN challenges (SMS and email), phone changes and password
    // resets of users onboarded before the fault.
    {
      name: 'brownout-sms-6s',
      description: 'the SMS gateway answers each sendsms after 6 s (Kannel adapter timeout 10 s)',
      on: async () => void (providers.slow.smsMs = 6_000),
      off: async () => void (providers.slow.smsMs = 0),
      holdMs: hold(60_000, 20_000),
      brownout: true,
    },
    {
      name: 'brownout-smtp-6s',
      description: 'the SMTP server answers each message after 6 s (SMTP adapter timeout 10 s)',
      on: async () => void (providers.slow.smtpMs = 6_000),
      off: async () => void (providers.slow.smtpMs = 0),
      holdMs: hold(60_000, 20_000),
      brownout: true,
    },
    {
      name: 'brownout-core-3s',
      description: 'every core-banking call answers after 3 s (client timeout 5 s)',
      on: sim({ latencyMs: 3_000 }),
      off: sim(null),
      holdMs: hold(120_000, 60_000),
      brownout: true,
    },
    {
      name: 'brownout-core-4.9s',
      description: 'every core-banking call answers after 4.9 s (client timeout 5 s)',
      on: sim({ latencyMs: 4_900 }),
      off: sim(null),
      holdMs: hold(120_000, 60_000),
      brownout: true,
    },
    {
      name: 'sms-provider-down',
      description: 'the SMS provider (Kannel smsbox) answers 503',
      on: async () => void (providers.smsDown = true),
      off: async () => void (providers.smsDown = false),
      holdMs: hold(120_000, 15_000),
    },
    {
      name: 'webhook-receiver-down',
      description: "the channel's webhook receiver answers 503",
      on: async () => void (providers.webhooksDown = true),
      off: async () => void (providers.webhooksDown = false),
      holdMs: hold(120_000, 15_000),
    },
  ];
  const faults = allFaults.filter(
    (f) =>
      (!opts.brownoutsOnly || f.brownout) &&
      !(opts.noBrownouts && f.brownout) &&
      (!opts.names || opts.names.includes(f.name)),
  );
  const results: ScenarioResult[] = [];
  try {
    await stack.start();
    const tokens = await tokensFor(stack);
    for (const [k, fault] of faults.entries()) {
      const started = Date.now();
      const tally = emptyTally();
      const customers = await seedCustomers(stack, n, 800_000 + k * 1_000);
      const onboardings: Onboarding[] = customers.map((c) => ({
        ...c,
        requestId: `fault-${c.customerId}`,
        accepted: false,
      }));
      const challenges: Challenge[] = Array.from({ length: n }, (_, i) => ({
        phone: `+25411${String(1_000_000 + k * 1_000 + i)}`, // Kenyan mobiles: MFA_ALLOWED_COUNTRIES
        accepted: false,
      }));
      // A brownout also holds the other processes a customer sees, for users made before it.
      const m = fault.brownout ? (opts.smoke ? 2 : 5) : 0;
      const pre = m
        ? await onboardedUsers(stack, tokens, m, 0, 2 * m, 900_000 + k * 1_000)
        : { phoneChanges: [], logins: [] };
      const logins = pre.logins.slice(0, m);
      const resets: PasswordReset[] = pre.logins.slice(m).map((u) => ({
        userId: String(u.userId),
        phone: u.phone,
        requestId: `chaos-reset-${String(u.userId)}`,
        accepted: false,
      }));
      challenges.push(...logins);
      const codesTo = (phone: string) =>
        [
          ...new Set(
            providers
              .sms()
              .filter((x) => x.to === phone)
              .map((x) => OTP.exec(x.text)?.[1])
              .filter((x): x is string => !!x),
          ),
        ].reverse();
      const fromBefore = providers.deliveries.length;
      log(
        `${fault.name}: on for ${fault.holdMs / 1000} s with ${n} + ${n} requests` +
          (m ? `, ${m} LOGIN challenges, ${m} phone changes and ${m} password resets` : ''),
      );
      await fault.on();
      const lift = sleep(fault.holdMs).then(async () => {
        await fault.off();
        log(`${fault.name}: lifted`);
        return Date.now();
      });
      const deadline = Date.now() + fault.holdMs + 180_000;
      const work = [
        ...onboardings.map((o) => () => startOnboarding(stack, tokens, tally, o, deadline)),
        ...challenges.map((c) => () => startChallenge(stack, tokens, tally, c, deadline)),
        ...pre.phoneChanges.map((p) => () => changePhone(stack, tokens, tally, p, codesTo, deadline)),
        ...resets.map((r) => () => resetPassword(stack, tokens, tally, r, codesTo, deadline)),
      ];
      await pool(work, 16, (run) => run());
      const liftedAt = await lift;
      await settle(stack, tokens, onboardings, challenges, 240_000);
      await settleProcesses(stack, tokens, [
        ...pre.phoneChanges.filter((p) => p.accepted).map((p) => `phone-${p.userId}`),
        ...resets.filter((r) => r.accepted).map((r) => `reset-${r.userId}`),
      ]);
      const settleMs = Date.now() - liftedAt;
      await verify(stack, tokens, onboardings, challenges, tally, {
        sms: providers.sms().map((m) => ({ to: m.to, body: m.text })),
        webhooks: providers
          .webhooks()
          .map((w) => ({ id: w.id, webhookId: w.id, type: w.type, payload: w.payload })),
      });
      await verifyChanges(stack, tokens, pre.phoneChanges, [], tally);
      await verifyResets(
        stack,
        tokens,
        resets,
        providers.sms().map((x) => ({ to: x.to, body: x.text })),
        tally,
      );
      // This fault's deliveries (each fault has its own customers and phones).
      const received = countReceived(providers.deliveries.slice(fromBefore));
      tally.duplicated += received.duplicated + (fault.brownout ? received.redelivered : 0);
      tally.redelivered = received.redelivered;
      tally.received = {
        sms: received.sms,
        email: received.email,
        webhooks: received.webhooks,
        logical: received.logical,
      };
      tally.details.push(
        ...received.details.filter(
          (d) => d.startsWith('duplicate:') || (fault.brownout && d.startsWith('redelivered:')),
        ),
      );
      const story = await auditStory(stack, tokens, onboardings);
      results.push({
        name: fault.name,
        description: `${fault.description}, for ${fault.holdMs / 1000} s`,
        story,
        onboardings: n,
        challenges: n + logins.length,
        ...(m && { phoneChanges: m }),
        ...(m && {
          notes: [
            `${n} onboardings, ${n} ONBOARDING challenges, ${m} LOGIN challenges (SMS and email), ` +
              `${m} phone changes (UPDATE_PHONE + STEP_UP + POST /update-user-ib) and ${m} password resets ` +
              '(RESET_PASSWORD + POST /reset-user-ib) under the fault; a reset counts as completed when ' +
              'the password in the last SMS the phone got is the one core banking holds.',
          ],
        }),
        tally,
        events: [
          { part: 'fault lifted → all settled', atRequest: 0, downMs: fault.holdMs, recoveryMs: settleMs },
        ],
        settleMs,
        durationMs: Date.now() - started,
      });
      log(`${fault.name}: ${JSON.stringify({ ...tally, details: tally.details.slice(0, 5) })}`);
    }
    for (const type of ['LastWorkflowTask', 'FirstWorkflowTask'] as const) {
      const name = `ops-reset-${type === 'LastWorkflowTask' ? 'last' : 'first'}-task-after-first-login`;
      if (!opts.brownoutsOnly) continue;
      if (opts.names && !opts.names.includes(name)) continue;
      const m = opts.smoke ? 2 : 5;
      const base = 950_000 + (type === 'LastWorkflowTask' ? 0 : 1_000);
      results.push(await resetsAfterFirstLogin(stack, providers, tokens, { name, type, m, base, log }));
    }
    return results;
  } catch (e) {
    for (const name of ['temporal', 'simulator', 'worker', 'api'])
      log(`--- ${name} ---\n${stack.tail(name)}`);
    throw e;
  } finally {
    await stack.stop();
    await providers.stop();
  }
}

/**
 * Ops resets an onboarding after the customer's first login, as an operator would
 * (`temporal workflow reset --type <type>`): the new run must repeat nothing the customer
 * or the channel receives (any delivery after the reset counts as duplicated, the same
 * content included), keep the customer's own password, and end COMPLETED on the same user.
 */
async function resetsAfterFirstLogin(
  stack: ChaosStack,
  providers: Receivers,
  tokens: Tokens,
  o: {
    name: string;
    type: 'FirstWorkflowTask' | 'LastWorkflowTask';
    m: number;
    base: number;
    log: (line: string) => void;
  },
): Promise<ScenarioResult> {
  const started = Date.now();
  const tally = emptyTally();
  // (Made as phone-change candidates only for their customer and user ids: no phone changes here.)
  const { phoneChanges: users } = await onboardedUsers(stack, tokens, o.m, 0, 0, o.base);
  const own = (userId: string) => `Own-Pass-${userId}-42`;
  const admin = (method: string, path: string, body: unknown) =>
    fetch(`${stack.simulatorUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // The first login: the customer chooses their own password (the channel's IdP writes it
  // through the ESB, unconditionally), and the channel reports it.
  for (const u of users) {
    const { userId } = u;
    await admin('PUT', `/esb/v1/ib-users/${userId}/password`, { password: own(userId), mustChange: false });
    await fetch(`${stack.apiUrl}/users/${userId}/first-login`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.write}` },
    });
  }
  const fromBefore = providers.deliveries.length;
  o.log(
    `${o.name}: temporal workflow reset --type ${o.type} of ${users.length} onboardings after the first login`,
  );
  const onboardings = users.map((u) => `onboard-${u.customerId}`);
  for (const id of onboardings) await opsReset(stack, id, o.type);
  await settleProcesses(stack, tokens, onboardings);
  const t0 = Date.now();
  // Late deliveries of a repeated step would come within seconds.
  await sleep(5_000);
  for (const u of users) {
    const { userId } = u;
    tally.accepted++;
    const proc = await fetch(`${stack.apiUrl}/processes/onboard-${u.customerId}`, {
      headers: { authorization: `Bearer ${tokens.read}` },
    }).then(async (r) => (await r.json()) as { status?: string; result?: { userId?: string } });
    const intact = await admin('POST', `/admin/ib-users/${userId}/verify-password`, {
      password: own(userId),
    }).then(async (r) => ((await r.json()) as { matches?: boolean }).matches === true);
    if (proc.status === 'RUNNING') {
      tally.stuck++;
      tally.details.push(`stuck: onboard-${u.customerId}`);
    } else if (proc.status === 'COMPLETED' && proc.result?.userId === userId && intact) tally.completed++;
    else {
      tally.lost++;
      tally.details.push(
        `lost: onboard-${u.customerId} status=${String(proc.status)} ownPasswordIntact=${intact}`,
      );
    }
  }
  const after = providers.deliveries.slice(fromBefore);
  const received = countReceived(after);
  tally.duplicated += after.length;
  tally.redelivered = received.redelivered;
  tally.received = { sms: received.sms, email: received.email, webhooks: received.webhooks, logical: 0 };
  tally.details.push(...after.map((d) => `duplicate: ${d.kind} to ${d.to} after the reset`));
  return {
    name: o.name,
    description: `\`temporal workflow reset --type ${o.type}\` of completed onboardings after the customer's first login (own password set, first login reported)`,
    onboardings: users.length,
    challenges: 0,
    tally,
    events: [{ part: 'resets → all settled', atRequest: 0, downMs: 0, recoveryMs: t0 - started }],
    settleMs: t0 - started,
    durationMs: Date.now() - started,
    notes: [
      `After the resets the receivers got ${after.length} deliveries (each counted as duplicated); ` +
        `${tally.completed} of ${users.length} runs ended COMPLETED on the same user with the customer's own password intact.`,
    ],
  };
}

interface Entry {
  step: string;
  status: string;
  at: string;
  detail?: string;
}

/**
 * What the audit trail says: the slowest accepted onboarding's steps with the time each
 * took (the step that rode out the fault stands out), and how many trails hold a WAITING
 * or FAILED entry.
 */
async function auditStory(stack: ChaosStack, tokens: Tokens, onboardings: Onboarding[]): Promise<string> {
  let slowest: { id: string; ms: number; trail: Entry[] } | undefined;
  let flagged = 0;
  for (const o of onboardings.filter((x) => x.accepted)) {
    const res = await fetch(`${stack.apiUrl}/processes/${o.processId}`, {
      headers: { authorization: `Bearer ${tokens.read}` },
    });
    const trail = ((await res.json()) as { auditTrail?: Entry[] }).auditTrail ?? [];
    if (trail.some((e) => e.status === 'WAITING' || e.status === 'FAILED')) flagged++;
    const first = trail[0];
    const last = trail.at(-1);
    const ms = first && last ? Date.parse(last.at) - Date.parse(first.at) : 0;
    if (!slowest || ms > slowest.ms) slowest = { id: String(o.processId), ms, trail };
  }
  if (!slowest) return '—';
  const started = new Map<string, number>();
  const steps: string[] = [];
  for (const e of slowest.trail) {
    if (e.status === 'STARTED') started.set(e.step, Date.parse(e.at));
    else {
      const t0 = started.get(e.step);
      const took = t0 === undefined ? '' : ` in ${((Date.parse(e.at) - t0) / 1000).toFixed(1)} s`;
      steps.push(`${e.step} ${e.status}${took}${e.detail ? ` (${e.detail.slice(0, 50)})` : ''}`);
    }
  }
  return (
    `slowest run \`${slowest.id}\` (${(slowest.ms / 1000).toFixed(1)} s): ${steps.join(' → ')}; ` +
    `${flagged} trail(s) with a WAITING or FAILED entry`
  ).replace(/\|/g, '/');
}
