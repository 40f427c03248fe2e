import { mintDevToken } from '../../api/auth';
import { loadConfig } from '../../config';
import { addSimulatorCustomer } from '../../simulator/admin-client';
import { sleep, type ChaosStack } from './stack';

/**
 * Load and verification for the chaos scenarios: a client that keeps a logical request
 * going until it is accepted (retrying 503s and lost connections with the same
 * idempotency key, as a real channel backend would), and the checks that every accepted
 * request completed exactly once.
 */

/** Client-side timeout: a request still unanswered after this counts as a hang. */
export let HANG_MS = 15_000;
export const setHangMs = (ms: number) => (HANG_MS = ms);

export interface AttemptLog {
  /** HTTP status, or 'conn' (connection refused/reset), or 'hang' (no answer in HANG_MS). */
  outcome: number | 'conn' | 'hang';
  ms: number;
  problemJson: boolean;
}

export interface Tally {
  accepted: number;
  completed: number;
  lost: number;
  duplicated: number;
  stuck: number;
  /** 503 answers (all of them problem+json unless notProblemJson > 0). */
  refused503: number;
  notProblemJson: number;
  connErrors: number;
  hangs: number;
  /** Any other non-2xx answer to a create call. */
  otherErrors: number;
  maxAnswerMs: number;
  details: string[];
}

export const emptyTally = (): Tally => ({
  accepted: 0,
  completed: 0,
  lost: 0,
  duplicated: 0,
  stuck: 0,
  refused503: 0,
  notProblemJson: 0,
  connErrors: 0,
  hangs: 0,
  otherErrors: 0,
  maxAnswerMs: 0,
  details: [],
});

export interface Tokens {
  write: string;
  mfa: string;
  read: string;
}

export async function tokensFor(stack: ChaosStack): Promise<Tokens> {
  const config = loadConfig({ DATA_DIR: stack.dataDir });
  return {
    write: await mintDevToken(config, { scopes: ['ib-users:write'], expiresIn: '2h' }),
    mfa: await mintDevToken(config, { scopes: ['mfa:write', 'mfa:any-user'], expiresIn: '2h' }),
    read: await mintDevToken(config, { scopes: ['processes:read'], expiresIn: '2h' }),
  };
}

export async function attempt(
  url: string,
  init: RequestInit,
  timeoutMs?: number,
): Promise<{ log: AttemptLog; body: Record<string, unknown>; headers?: Headers }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs ?? HANG_MS) });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { raw: text };
    }
    const problemJson = (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
    return { log: { outcome: res.status, ms: Date.now() - t0, problemJson }, body, headers: res.headers };
  } catch (e) {
    const name = (e as Error).name;
    const outcome = name === 'TimeoutError' || name === 'AbortError' ? 'hang' : 'conn';
    return { log: { outcome, ms: Date.now() - t0, problemJson: false }, body: {} };
  }
}

function record(t: Tally, log: AttemptLog, what: string, body: Record<string, unknown> = {}): void {
  t.maxAnswerMs = Math.max(t.maxAnswerMs, log.outcome === 'conn' ? 0 : log.ms);
  if (log.outcome === 'conn') t.connErrors++;
  else if (log.outcome === 'hang') {
    t.hangs++;
    t.details.push(`hang: ${what} at ${new Date().toISOString().slice(11, 19)}`);
  } else if (log.outcome === 503) {
    t.refused503++;
    if (!log.problemJson) t.notProblemJson++;
  } else if (log.outcome >= 300) {
    t.otherErrors++;
    if (log.outcome >= 500)
      t.details.push(`${log.outcome} ${String(body.code)} on ${what}: ${String(body.detail)}`);
    if (!log.problemJson) t.notProblemJson++;
  }
}

export interface Customer {
  customerId: string;
  phone: string;
}

/** Creates `n` eligible customers in the simulator, ids from `base`. */
export async function seedCustomers(stack: ChaosStack, n: number, base: number): Promise<Customer[]> {
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const customerId = String(base + i);
    const phone = `+2547${String(base + i)
      .padStart(8, '0')
      .slice(-8)}`;
    await addSimulatorCustomer(stack.simulatorUrl, {
      customerId,
      firstName: 'Chaos',
      lastName: `Customer${i}`,
      phone,
      email: `c${customerId}@example.test`,
      products: ['SAV001'],
    });
    out.push({ customerId, phone });
  }
  return out;
}

export async function setFaults(stack: ChaosStack, faults: Record<string, unknown> | null): Promise<void> {
  const res = await fetch(`${stack.simulatorUrl}/admin/faults`, {
    method: faults ? 'PUT' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: faults ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

export interface Onboarding extends Customer {
  requestId: string;
  accepted: boolean;
  processId?: string;
}

export interface Challenge {
  phone: string;
  accepted: boolean;
  serviceKey?: string;
  securityKey?: string;
}

/** Keeps one logical request going until accepted or `deadline`; returns the accepted answer. */
async function untilAccepted(
  t: Tally,
  what: string,
  deadline: number,
  send: () => Promise<{ log: AttemptLog; body: Record<string, unknown> }>,
): Promise<Record<string, unknown> | undefined> {
  while (Date.now() < deadline) {
    const { log, body } = await send();
    record(t, log, what, body);
    if (log.outcome === 201 || log.outcome === 202) return body;
    if (typeof log.outcome === 'number' && log.outcome !== 503 && log.outcome < 500) {
      t.details.push(`refused for good: ${what}: ${log.outcome} ${JSON.stringify(body).slice(0, 200)}`);
      return undefined;
    }
    await sleep(500 + Math.floor(Math.random() * 500));
  }
  return undefined;
}

export function startOnboarding(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  o: Onboarding,
  deadline: number,
): Promise<void> {
  return untilAccepted(t, `open-user-ib ${o.customerId}`, deadline, () =>
    attempt(`${stack.apiUrl}/open-user-ib`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.write}`,
        'content-type': 'application/json',
        prefer: 'wait=2',
      },
      body: JSON.stringify({
        requestId: o.requestId,
        customerId: o.customerId,
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      }),
    }),
  ).then((body) => {
    if (body) {
      o.accepted = true;
      o.processId = String(body.processId ?? `onboard-${o.customerId}`);
    }
  });
}

export function startChallenge(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  c: Challenge,
  deadline: number,
): Promise<void> {
  return untilAccepted(t, `mfa/challenges ${c.phone}`, deadline, () =>
    attempt(`${stack.apiUrl}/mfa/challenges`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.mfa}`,
        'content-type': 'application/json',
        prefer: 'wait=2',
      },
      body: JSON.stringify({ purpose: 'ONBOARDING', phone: c.phone }),
    }),
  ).then((body) => {
    if (body) {
      c.accepted = true;
      c.serviceKey = String(body.serviceKey);
      c.securityKey = String(body.securityKey);
    }
  });
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await run(item);
      }
    }),
  );
}

const get = async (
  url: string,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> => {
  const { log, body } = await attempt(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: typeof log.outcome === 'number' ? log.outcome : 0, body };
};

const postJson = async (url: string, payload: unknown, token?: string) => {
  const { log, body } = await attempt(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(payload),
  });
  return { status: typeof log.outcome === 'number' ? log.outcome : 0, body };
};

/** Waits until no accepted run is RUNNING / SENDING (or the deadline); returns the settle time. */
export async function settle(
  stack: ChaosStack,
  tokens: Tokens,
  onboardings: Onboarding[],
  challenges: Challenge[],
  timeoutMs: number,
): Promise<number> {
  const t0 = Date.now();
  const pending = new Set<string>([
    ...onboardings.filter((o) => o.accepted).map((o) => `p:${o.processId}`),
    ...challenges.filter((c) => c.accepted).map((c) => `m:${c.serviceKey}`),
  ]);
  while (pending.size && Date.now() - t0 < timeoutMs) {
    await pool([...pending], 16, async (key) => {
      const [kind, id] = [key.slice(0, 1), key.slice(2)];
      if (kind === 'p') {
        const r = await get(`${stack.apiUrl}/processes/${id}`, tokens.read);
        if (r.status === 200 && r.body.status !== 'RUNNING') pending.delete(key);
      } else {
        const r = await get(`${stack.apiUrl}/mfa/challenges/${id}`, tokens.mfa);
        if (r.status === 200 && r.body.status !== 'SENDING') pending.delete(key);
      }
    });
    if (pending.size) await sleep(1_000);
  }
  return Date.now() - t0;
}

const FTP = /first-time password is (\S+)\./;
const OTP = /: (\d+) is your verification code/;

/** Counts completed, lost, duplicated and stuck runs, against the simulator and the outboxes. */
export async function verify(
  stack: ChaosStack,
  tokens: Tokens,
  onboardings: Onboarding[],
  challenges: Challenge[],
  t: Tally,
  /** Messages as a real provider / receiver got them (default: the outboxes). */
  received?: { sms: Record<string, unknown>[]; webhooks: Record<string, unknown>[] },
): Promise<void> {
  const sms = received?.sms ?? stack.outbox('sms');
  const webhooks = received?.webhooks ?? stack.outbox('webhooks');
  // Outbox de-duplication: one line per id.
  const countIds = (records: Record<string, unknown>[]) => {
    const m = new Map<string, number>();
    for (const r of records) m.set(String(r.id), (m.get(String(r.id)) ?? 0) + 1);
    return [...m.values()].filter((n) => n > 1).length;
  };
  // A receiver may see a webhook id twice (at-least-once) and de-duplicates by id.
  const dupLines = countIds(sms) + (received ? 0 : countIds(webhooks));
  if (received && countIds(webhooks))
    t.details.push(`${countIds(webhooks)} webhook ids redelivered (de-duplicated by id at the receiver)`);
  if (dupLines) {
    t.duplicated += dupLines;
    t.details.push(`${dupLines} outbox ids written more than once`);
  }

  // MFA first: their codes expire (MFA_OTP_TTL_SECONDS), the onboardings do not.
  await pool(
    challenges.filter((x) => x.accepted),
    8,
    async (c) => {
      t.accepted++;
      const state = await get(`${stack.apiUrl}/mfa/challenges/${c.serviceKey}`, tokens.mfa);
      if (state.body.status === 'SENDING') {
        t.stuck++;
        t.details.push(`stuck: mfa-${c.serviceKey}`);
        return;
      }
      // Through the outbox the message id names the challenge; a provider only sees the
      // phone, so try the last few codes sent to it (a retried create may have sent one too).
      const sent = received
        ? sms
            .filter((m) => m.to === c.phone && OTP.test(String(m.body)))
            .slice(-3)
            .reverse()
        : sms
            // Message ids are {workflowId}.{runId}.otp.{sendNumber}.
            .filter((m) => String(m.id).startsWith(`mfa-${c.serviceKey}.`) && String(m.id).includes('.otp.'))
            .slice(-1);
      const last = sent[0];
      let v: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
      for (const m of sent) {
        const otp = OTP.exec(String(m.body))?.[1];
        if (!otp) continue;
        v = await postJson(
          `${stack.apiUrl}/mfa/challenges/${c.serviceKey}/verify`,
          { securityKey: c.securityKey, otp },
          tokens.mfa,
        );
        if (v.status === 200) break;
      }
      if (v.status === 200 && v.body.status === 'VERIFIED') t.completed++;
      else {
        t.lost++;
        t.details.push(
          `lost: mfa-${c.serviceKey} status=${String(state.body.status)} sms=${last ? 'yes' : 'no'} ` +
            `verify=${v.status} ${JSON.stringify(v.body).slice(0, 160)}`,
        );
      }
    },
  );

  await pool(
    onboardings.filter((x) => x.accepted),
    8,
    async (o) => {
      t.accepted++;
      const proc = await get(`${stack.apiUrl}/processes/${o.processId}`, tokens.read);
      const customer = await get(`${stack.simulatorUrl}/admin/customers/${o.customerId}`);
      const users = (customer.body.ibUsers as { userId: string; status: string }[] | undefined) ?? [];
      const hooks = new Set(
        webhooks
          .filter(
            (w) =>
              w.type === 'ib_user.username_assigned' &&
              (w.payload as Record<string, unknown> | undefined)?.customerId === o.customerId,
          )
          .map((w) => String(w.webhookId)),
      );
      const lastFtp = sms.filter((s) => s.to === o.phone && FTP.test(String(s.body))).at(-1);
      const password = lastFtp ? FTP.exec(String(lastFtp.body))?.[1] : undefined;
      if (proc.body.status === 'RUNNING') {
        t.stuck++;
        t.details.push(`stuck: ${o.processId}`);
        return;
      }
      if (users.length > 1 || hooks.size > 1) {
        t.duplicated++;
        t.details.push(`duplicate: ${o.customerId} users=${users.length} webhooks=${hooks.size}`);
        return;
      }
      const user = users[0];
      let matches = false;
      if (user && password) {
        const r = await postJson(`${stack.simulatorUrl}/admin/ib-users/${user.userId}/verify-password`, {
          password,
        });
        matches = r.body.matches === true;
      }
      if (proc.body.status === 'COMPLETED' && user && hooks.size === 1 && matches) t.completed++;
      else {
        t.lost++;
        t.details.push(
          `lost: ${o.customerId} status=${String(proc.body.status)} users=${users.length} ` +
            `webhooks=${hooks.size} passwordMatches=${matches}`,
        );
      }
    },
  );
}
