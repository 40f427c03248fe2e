import type { ScenarioResult } from './kill';
import {
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
  type Tokens,
} from './load';
import { countReceived, Receivers } from './receiver';
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
  /** Only the brownout rows (the CI smoke of them). */
  brownoutsOnly?: boolean;
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
    // Brownouts: slow, not down, and inside the adapters' own timeouts, for the whole load.
    // (Nothing in this load goes by email: the SMTP brownout is test/e2e/brownouts.test.ts's.)
    {
      name: 'brownout-sms-6s',
      description: 'the SMS gateway answers each sendsms after 6 s (Kannel adapter timeout 10 s)',
      on: async () => void (providers.slow.smsMs = 6_000),
      off: async () => void (providers.slow.smsMs = 0),
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
  const faults = opts.brownoutsOnly ? allFaults.filter((f) => f.brownout) : allFaults;
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
      const fromBefore = providers.deliveries.length;
      log(`${fault.name}: on for ${fault.holdMs / 1000} s with ${n} + ${n} requests`);
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
      ];
      await pool(work, 16, (run) => run());
      const liftedAt = await lift;
      await settle(stack, tokens, onboardings, challenges, 240_000);
      const settleMs = Date.now() - liftedAt;
      await verify(stack, tokens, onboardings, challenges, tally, {
        sms: providers.sms().map((m) => ({ to: m.to, body: m.text })),
        webhooks: providers
          .webhooks()
          .map((w) => ({ id: w.id, webhookId: w.id, type: w.type, payload: w.payload })),
      });
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
        challenges: n,
        tally,
        events: [
          { part: 'fault lifted → all settled', atRequest: 0, downMs: fault.holdMs, recoveryMs: settleMs },
        ],
        settleMs,
        durationMs: Date.now() - started,
      });
      log(`${fault.name}: ${JSON.stringify({ ...tally, details: tally.details.slice(0, 5) })}`);
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
