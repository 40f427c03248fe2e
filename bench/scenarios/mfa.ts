import { performance } from 'node:perf_hooks';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { summarize, type Summary } from '../stats';
import { BENCH_TASK_QUEUE, type BenchStack } from '../stack';
import { finishUpdate, pingUpdate } from '../workflows';
import type { BenchOptions } from '../options';

export interface MfaResult {
  create: Summary;
  /** Update-with-start of a fresh BareUpdate run whose Update returns at once. */
  rawUpdateWithStart: Summary;
  verify: Summary;
  rawUpdate: Summary;
  /** HTTP verify p50 / raw Update p50. */
  mfaVerifyP50ToRawUpdate: number;
  /** HTTP create (201, code accepted by the provider) p50 / raw update-with-start p50. */
  mfaCreateP50ToRawUpdateWithStart: number;
}

export interface Challenge {
  serviceKey: string;
  securityKey: string;
}

/** Creates a challenge for a fresh number and waits for its first code (201). */
export async function createChallenge(
  stack: BenchStack,
  phone: string,
  wait = 'wait=10',
): Promise<Challenge> {
  const res = await stack.http('POST', '/mfa/challenges', { purpose: 'ONBOARDING', phone }, { prefer: wait });
  if (res.status !== 201 && !(wait === 'wait=0' && res.status === 202))
    throw new Error(`POST /mfa/challenges answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { serviceKey: String(res.body.serviceKey), securityKey: String(res.body.securityKey) };
}

export async function verifyChallenge(stack: BenchStack, c: Challenge, otp: string): Promise<void> {
  const res = await stack.http('POST', `/mfa/challenges/${c.serviceKey}/verify`, {
    securityKey: c.securityKey,
    otp,
  });
  if (res.status !== 200 || res.body.status !== 'VERIFIED')
    throw new Error(`verify answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/**
 * Scenario 3: create → verify through HTTP (both Updates on MfaChallenge) against their raw
 * floors on BareUpdate. One at a time, interleaved, in alternating order: each iteration
 * times the HTTP create (201: the provider took the code) and a raw update-with-start of a
 * fresh bare run whose Update returns at once, then the HTTP verify and a raw
 * `executeUpdate` of a trivial Update on that bare run. Both timed Updates are their run's
 * second, and each pair meets the same server: the other's trailing work (visibility
 * writes, timers) is in flight for both, and drift over the phase (a growing database,
 * checkpoints) affects both alike.
 */
export async function mfaScenario(
  stack: BenchStack,
  o: BenchOptions,
  phonePrefix: string,
): Promise<MfaResult> {
  const creates: number[] = [];
  const starts: number[] = [];
  const verifies: number[] = [];
  const rawTimes: number[] = [];
  const errors = { create: 0, start: 0, verify: 0, raw: 0 };
  const warmup = Math.min(10, Math.ceil(o.mfaIterations / 10));
  const t0 = performance.now();
  for (let i = 0; i < warmup + o.mfaIterations; i++) {
    const timed = i >= warmup;
    const failed = (kind: keyof typeof errors, e: unknown) => {
      if (timed) errors[kind]++;
      if (errors.create + errors.start + errors.verify + errors.raw <= 3)
        console.error(`[bench] mfa ${kind}: ${e instanceof Error ? e.message : e}`);
    };
    let challenge: Challenge | undefined;
    let bare: WorkflowHandle | undefined;
    const create = async () => {
      try {
        const c0 = performance.now();
        challenge = await createChallenge(stack, `${phonePrefix}${String(i).padStart(6, '0')}`);
        if (timed) creates.push(performance.now() - c0);
      } catch (e) {
        failed('create', e);
      }
    };
    const rawStart = async () => {
      try {
        const s0 = performance.now();
        const startWorkflowOperation = new WithStartWorkflowOperation('BareUpdate', {
          taskQueue: BENCH_TASK_QUEUE,
          workflowId: `bare-${phonePrefix}-${i}`,
          workflowIdConflictPolicy: 'FAIL',
        });
        await stack.client.workflow.executeUpdateWithStart(pingUpdate, {
          args: [{ n: 0 }],
          startWorkflowOperation,
        });
        if (timed) starts.push(performance.now() - s0);
        bare = await startWorkflowOperation.workflowHandle();
      } catch (e) {
        failed('start', e);
      }
    };
    for (const op of i % 2 ? [rawStart, create] : [create, rawStart]) await op();
    if (!challenge || !bare) continue;
    let otp: string;
    try {
      otp = await stack.sms.codeFor(challenge.serviceKey);
    } catch (e) {
      failed('create', e);
      continue;
    }
    const [c, b] = [challenge, bare];
    const verify = async () => {
      const v0 = performance.now();
      try {
        await verifyChallenge(stack, c, otp);
        if (timed) verifies.push(performance.now() - v0);
      } catch (e) {
        failed('verify', e);
      }
    };
    const raw = async () => {
      const u0 = performance.now();
      try {
        await b.executeUpdate(pingUpdate, { args: [{ n: i }] });
        if (timed) rawTimes.push(performance.now() - u0);
      } catch (e) {
        failed('raw', e);
      }
    };
    for (const op of i % 2 ? [raw, verify] : [verify, raw]) await op();
    await b.executeUpdate(finishUpdate).catch((e: unknown) => failed('raw', e));
  }
  const ms = performance.now() - t0;
  const verify = summarize(verifies, errors.verify, ms);
  const rawUpdate = summarize(rawTimes, errors.raw, ms);
  const create = summarize(creates, errors.create, ms);
  const rawUpdateWithStart = summarize(starts, errors.start, ms);
  return {
    create,
    rawUpdateWithStart,
    verify,
    rawUpdate,
    mfaVerifyP50ToRawUpdate: verify.p50Ms / rawUpdate.p50Ms,
    mfaCreateP50ToRawUpdateWithStart: create.p50Ms / rawUpdateWithStart.p50Ms,
  };
}
