import { performance } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { summarize, type Summary } from '../stats';
import { BENCH_TASK_QUEUE, type BenchStack } from '../stack';
import { finishUpdate, pingUpdate } from '../workflows';
import type { BenchOptions } from '../options';

export interface MfaResult {
  create: Summary;
  verify: Summary;
  rawUpdate: Summary;
  /** HTTP verify p50 / raw Update p50. */
  mfaVerifyP50ToRawUpdate: number;
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
 * Scenario 3: create → verify through HTTP (both Updates on MfaChallenge) vs a raw
 * `executeUpdate` of a trivial Update on BareUpdate. One at a time, interleaved: each
 * iteration creates a challenge and starts a bare run (with an untimed first ping), then
 * times the verify and the raw Update back to back, in alternating order. Both timed
 * Updates are their run's second, and both meet the same server: the create's and the
 * start's trailing work (visibility writes, timers) is in flight for each, and drift over
 * the phase (a growing database, checkpoints) affects both alike.
 */
export async function mfaScenario(
  stack: BenchStack,
  o: BenchOptions,
  phonePrefix: string,
): Promise<MfaResult> {
  const creates: number[] = [];
  const verifies: number[] = [];
  const rawTimes: number[] = [];
  const errors = { create: 0, verify: 0, raw: 0 };
  const warmup = Math.min(10, Math.ceil(o.mfaIterations / 10));
  const t0 = performance.now();
  for (let i = 0; i < warmup + o.mfaIterations; i++) {
    const timed = i >= warmup;
    const failed = (kind: keyof typeof errors, e: unknown) => {
      if (timed) errors[kind]++;
      if (errors.create + errors.verify + errors.raw <= 3)
        console.error(`[bench] mfa ${kind}: ${e instanceof Error ? e.message : e}`);
    };
    let challenge: Challenge;
    let otp: string;
    try {
      const c0 = performance.now();
      challenge = await createChallenge(stack, `${phonePrefix}${String(i).padStart(6, '0')}`);
      if (timed) creates.push(performance.now() - c0);
      otp = await stack.sms.codeFor(challenge.serviceKey);
    } catch (e) {
      failed('create', e);
      continue;
    }
    let bare: WorkflowHandle;
    try {
      bare = await stack.client.workflow.start('BareUpdate', {
        taskQueue: BENCH_TASK_QUEUE,
        workflowId: `bare-${phonePrefix}-${i}`,
      });
      await bare.executeUpdate(pingUpdate, { args: [{ n: 0 }] });
    } catch (e) {
      failed('raw', e);
      continue;
    }
    const verify = async () => {
      const v0 = performance.now();
      try {
        await verifyChallenge(stack, challenge, otp);
        if (timed) verifies.push(performance.now() - v0);
      } catch (e) {
        failed('verify', e);
      }
    };
    const raw = async () => {
      const u0 = performance.now();
      try {
        await bare.executeUpdate(pingUpdate, { args: [{ n: i }] });
        if (timed) rawTimes.push(performance.now() - u0);
      } catch (e) {
        failed('raw', e);
      }
    };
    for (const op of i % 2 ? [raw, verify] : [verify, raw]) await op();
    await bare.executeUpdate(finishUpdate).catch((e: unknown) => failed('raw', e));
  }
  const ms = performance.now() - t0;
  const verify = summarize(verifies, errors.verify, ms);
  const rawUpdate = summarize(rawTimes, errors.raw, ms);
  return {
    create: summarize(creates, errors.create, ms),
    verify,
    rawUpdate,
    mfaVerifyP50ToRawUpdate: verify.p50Ms / rawUpdate.p50Ms,
  };
}
