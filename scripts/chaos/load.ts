import { mintDevToken } from '../../lib/dev-keys';
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
  /** Deliveries of the very same message again, counted at the receiving side. */
  redelivered: number;
  /** Runs started (Temporal visibility) beyond the requests accepted: creates whose answer was lost. */
  orphanRuns: number;
  /** First-time-password SMS after an ops reset: the same password again, or a new one. */
  resetPasswords?: { same: number; different: number };
  /** What reached the receiving side, when one was counted. */
  received?: { sms: number; email: number; webhooks: number; logical: number };
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
  redelivered: 0,
  orphanRuns: 0,
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
    write: await mintDevToken(config, {
      scopes: ['ib-users:write', 'institution-users:write'],
      expiresIn: '2h',
    }),
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
  /** The destination; for a LOGIN challenge the user's registered phone. */
  phone: string;
  /** A LOGIN challenge to this user's registered phone and email (else ONBOARDING to `phone`). */
  userId?: string;
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
        // A create retried after its answer was lost names the same challenge: no orphan.
        'idempotency-key': `chaos-${c.userId ?? c.phone.replace('+', '')}`,
      },
      body: JSON.stringify(
        c.userId ? { purpose: 'LOGIN', userId: c.userId } : { purpose: 'ONBOARDING', phone: c.phone },
      ),
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
  // (A provider's records carry no id of ours: the receiving side counts those, see receiver.ts.)
  const dupLines = received ? 0 : countIds(sms) + countIds(webhooks);
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

/** Keeps one call going (503s, lost connections, hangs retried) until it answers one of `ok`. */
export async function untilOk(
  t: Tally,
  what: string,
  deadline: number,
  ok: number[],
  send: () => Promise<{ log: AttemptLog; body: Record<string, unknown> }>,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  while (Date.now() < deadline) {
    const { log, body } = await send();
    // An answer the caller expects (e.g. 409 ALREADY_VERIFIED to a retried verify) is no error.
    if (typeof log.outcome === 'number' && ok.includes(log.outcome)) {
      if (log.outcome < 300) record(t, log, what, body);
      return { status: log.outcome, body };
    }
    record(t, log, what, body);
    if (typeof log.outcome === 'number' && log.outcome !== 503 && log.outcome < 500) {
      t.details.push(`refused for good: ${what}: ${log.outcome} ${JSON.stringify(body).slice(0, 200)}`);
      return undefined;
    }
    await sleep(500 + Math.floor(Math.random() * 500));
  }
  t.details.push(`gave up: ${what}`);
  return undefined;
}

const jsonCall = (stack: ChaosStack, token: string, method: string, p: string, body: unknown, headers = {}) =>
  attempt(`${stack.apiUrl}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      prefer: 'wait=2',
      ...headers,
    },
    body: JSON.stringify(body),
  });

/** Waits until `find` returns something (polling the receiving side). */
export async function waitFor<T>(find: () => T | undefined, ms: number): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v !== undefined || Date.now() > until) return v;
    await sleep(250);
  }
}

/** Waits until an accepted challenge has left SENDING (its first code went out, or failed). */
export async function untilSent(
  stack: ChaosStack,
  tokens: Tokens,
  serviceKey: string,
  deadline: number,
): Promise<void> {
  while (Date.now() < deadline) {
    const r = await get(`${stack.apiUrl}/mfa/challenges/${serviceKey}`, tokens.mfa);
    if (r.status === 200 && r.body.status !== 'SENDING') return;
    await sleep(500);
  }
}

/** Re-sends an accepted challenge's code once (same code, the next send number). */
export async function resendChallenge(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  c: Challenge,
  deadline: number,
): Promise<boolean> {
  await untilSent(stack, tokens, String(c.serviceKey), deadline);
  // As a client retrying after a lost answer: the same Idempotency-Key, so a resend that went
  // through answers its outcome again instead of a second resend (RESEND_TOO_SOON).
  const r = await untilOk(t, `mfa resend ${c.serviceKey}`, deadline, [200], () =>
    jsonCall(
      stack,
      tokens.mfa,
      'POST',
      `/mfa/challenges/${c.serviceKey}/resend`,
      { securityKey: c.securityKey },
      { 'idempotency-key': `chaos-resend-${c.serviceKey}` },
    ),
  );
  return r !== undefined;
}

export interface PhoneChange {
  customerId: string;
  userId: string;
  oldPhone: string;
  newPhone: string;
  requestId: string;
  accepted: boolean;
  /** The UPDATE_PHONE challenge the change consumed. */
  mfa?: { serviceKey: string; securityKey: string };
  /** The STEP_UP challenge it consumed (a factor on file). */
  stepUp?: { serviceKey: string; securityKey: string };
}

/**
 * The whole phone change as a channel drives it: an UPDATE_PHONE challenge to the new
 * number and a STEP_UP challenge to the number on file, each verified with the code the SMS
 * gateway received, then POST /update-user-ib with both proofs (UpdateUserPhone consumes
 * them). Each call is retried through outages; `codes` reads the codes the receiving side
 * got for a phone, newest first.
 */
export async function changePhone(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  p: PhoneChange,
  codes: (phone: string) => string[],
  deadline: number,
): Promise<void> {
  const prove = (purpose: string, body: Record<string, string>, phone: string) =>
    verifiedChallenge(
      stack,
      tokens,
      t,
      `${purpose} ${p.userId}`,
      { purpose, ...body },
      () => codes(phone),
      deadline,
    );
  const mfa = await prove('UPDATE_PHONE', { userId: p.userId, phone: p.newPhone }, p.newPhone);
  if (!mfa) return;
  p.mfa = mfa;
  const stepUp = await prove('STEP_UP', { userId: p.userId }, p.oldPhone);
  if (!stepUp) return;
  p.stepUp = stepUp;
  const done = await untilOk(t, `update-user-ib ${p.userId}`, deadline, [201, 202], () =>
    jsonCall(stack, tokens.write, 'POST', '/update-user-ib', {
      requestId: p.requestId,
      userId: p.userId,
      newPhone: p.newPhone,
      mfa,
      stepUp,
    }),
  );
  if (done) p.accepted = true;
}

export interface PasswordReset {
  userId: string;
  /** The phone on file: the RESET_PASSWORD code and the new first-time password go there. */
  phone: string;
  requestId: string;
  accepted: boolean;
}

/**
 * A password reset as a channel drives it: a RESET_PASSWORD challenge (its code to the
 * phone on file), verified with the code the gateway got, then POST /reset-user-ib with
 * that proof. Each call is retried through outages.
 */
export async function resetPassword(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  r: PasswordReset,
  codes: (phone: string) => string[],
  deadline: number,
): Promise<void> {
  const mfa = await verifiedChallenge(
    stack,
    tokens,
    t,
    `RESET_PASSWORD ${r.userId}`,
    { purpose: 'RESET_PASSWORD', userId: r.userId },
    () => codes(r.phone),
    deadline,
  );
  if (!mfa) return;
  const done = await untilOk(t, `reset-user-ib ${r.userId}`, deadline, [201, 202], () =>
    jsonCall(stack, tokens.write, 'POST', '/reset-user-ib', {
      requestId: r.requestId,
      userId: r.userId,
      mfa,
    }),
  );
  if (done) r.accepted = true;
}

/**
 * Password resets: the process completed and the password in the last first-time-password
 * SMS the phone got is the one core banking holds (the customer can log in with it).
 */
export async function verifyResets(
  stack: ChaosStack,
  tokens: Tokens,
  resets: PasswordReset[],
  sms: { to: string; body: string }[],
  t: Tally,
): Promise<void> {
  for (const r of resets.filter((x) => x.accepted)) {
    t.accepted++;
    const proc = await get(`${stack.apiUrl}/processes/reset-${r.userId}`, tokens.read);
    const last = sms.filter((m) => m.to === r.phone && FTP.test(m.body)).at(-1);
    const password = last ? FTP.exec(last.body)?.[1] : undefined;
    const matches =
      password !== undefined &&
      (await postJson(`${stack.simulatorUrl}/admin/ib-users/${r.userId}/verify-password`, { password })).body
        .matches === true;
    if (proc.body.status === 'RUNNING') {
      t.stuck++;
      t.details.push(`stuck: reset-${r.userId}`);
    } else if (proc.body.status === 'COMPLETED' && matches) t.completed++;
    else {
      t.lost++;
      t.details.push(`lost: reset-${r.userId} status=${String(proc.body.status)} passwordMatches=${matches}`);
    }
  }
}

/** Creates a challenge and verifies it with a code its destination received; undefined if it never verified. */
async function verifiedChallenge(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  what: string,
  body: Record<string, string>,
  received: () => string[],
  deadline: number,
): Promise<{ serviceKey: string; securityKey: string } | undefined> {
  const created = await untilOk(t, `${what} challenge`, deadline, [201, 202], () =>
    jsonCall(stack, tokens.mfa, 'POST', '/mfa/challenges', body, {
      'idempotency-key': `chaos-${what.replace(/[^A-Za-z0-9._:-]+/g, '-')}`,
    }),
  );
  if (!created) return undefined;
  const keys = { serviceKey: String(created.body.serviceKey), securityKey: String(created.body.securityKey) };
  // The gateway may have the code before the challenge knows it went out (then verify is 409).
  await untilSent(stack, tokens, keys.serviceKey, deadline);
  await waitFor(() => (received().length ? true : undefined), Math.max(0, deadline - Date.now()));
  // A create retried after a lost answer may have sent another challenge's code too.
  for (const otp of received()) {
    const v = await untilOk(t, `verify ${what}`, deadline, [200, 400, 401, 403, 409, 422], () =>
      jsonCall(stack, tokens.mfa, 'POST', `/mfa/challenges/${keys.serviceKey}/verify`, {
        securityKey: keys.securityKey,
        otp,
      }),
    );
    // A verify retried after its answer was lost finds the challenge verified already.
    if ((v?.status === 200 && v.body.status === 'VERIFIED') || v?.body.code === 'ALREADY_VERIFIED')
      return keys;
  }
  t.details.push(`${what}: challenge never verified`);
  return undefined;
}

export interface ContactChange {
  customerId: string;
  oldEmail: string;
  newEmail: string;
  idempotencyKey: string;
  accepted: boolean;
}

/** PUT /customers/{id}/contact-info (an email change) with an Idempotency-Key, retried until answered. */
export async function changeContactInfo(
  stack: ChaosStack,
  tokens: Tokens,
  t: Tally,
  c: ContactChange,
  deadline: number,
): Promise<void> {
  const r = await untilOk(t, `contact-info ${c.customerId}`, deadline, [200, 202], () =>
    jsonCall(
      stack,
      tokens.write,
      'PUT',
      `/customers/${c.customerId}/contact-info`,
      { email: { emailAddress: c.newEmail } },
      { 'idempotency-key': c.idempotencyKey },
    ),
  );
  if (r) c.accepted = true;
}

/** Runs (and distinct workflow ids) of a workflow type in Temporal visibility. */
export async function runsStarted(
  stack: ChaosStack,
  workflowType: string,
): Promise<{ runs: number; workflowIds: number }> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    // The raw visibility call: the memos are encrypted (payload codec), nothing here needs them.
    const ids = new Set<string>();
    let runs = 0;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.listWorkflowExecutions({
        namespace: 'default',
        query: `WorkflowType = '${workflowType}'`,
        pageSize: 1000,
        nextPageToken,
      });
      for (const w of page.executions ?? []) {
        runs++;
        ids.add(String(w.execution?.workflowId));
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return { runs, workflowIds: ids.size };
  } finally {
    await connection.close();
  }
}
