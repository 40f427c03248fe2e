import { performance } from 'node:perf_hooks';
import { closedLoop, type LoopResult } from '../load';
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
 * `executeUpdate` of a trivial Update on BareUpdate, one at a time. In both, the timed
 * Update is the second one the run gets (the first: initial delivery / an untimed ping).
 */
export async function mfaScenario(
  stack: BenchStack,
  o: BenchOptions,
  phonePrefix: string,
): Promise<MfaResult> {
  const creates: number[] = [];
  const verifies: number[] = [];
  let errors = 0;
  let verifyErrors = 0;
  const t0 = performance.now();
  const n = o.mfaIterations + Math.min(10, Math.ceil(o.mfaIterations / 10));
  for (let i = 0; i < n; i++) {
    const warm = i >= o.mfaIterations;
    try {
      const c0 = performance.now();
      const c = await createChallenge(stack, `${phonePrefix}${String(i).padStart(6, '0')}`);
      const c1 = performance.now();
      const otp = await stack.sms.codeFor(c.serviceKey);
      const v0 = performance.now();
      try {
        await verifyChallenge(stack, c, otp);
        if (!warm) verifies.push(performance.now() - v0);
      } catch (e) {
        if (!warm) verifyErrors++;
        throw e;
      }
      if (!warm) creates.push(c1 - c0);
    } catch (e) {
      if (!warm) errors++;
      if (errors <= 3) console.error(`[bench] mfa: ${e instanceof Error ? e.message : e}`);
    }
  }
  const httpMs = performance.now() - t0;

  const rawTimes: number[] = [];
  const r0 = performance.now();
  const raw: LoopResult = await closedLoop({ concurrency: 1, iterations: n }, async (i) => {
    const handle = await stack.client.workflow.start('BareUpdate', {
      taskQueue: BENCH_TASK_QUEUE,
      workflowId: `bare-${phonePrefix}-${i}`,
    });
    await handle.executeUpdate(pingUpdate, { args: [{ n: 0 }] });
    const u0 = performance.now();
    await handle.executeUpdate(pingUpdate, { args: [{ n: i }] });
    if (i < o.mfaIterations) rawTimes.push(performance.now() - u0);
    await handle.executeUpdate(finishUpdate);
  });
  const rawUpdate = summarize(rawTimes, raw.errors, performance.now() - r0);
  const verify = summarize(verifies, verifyErrors, httpMs);
  return {
    create: summarize(creates, errors, httpMs),
    verify,
    rawUpdate,
    mfaVerifyP50ToRawUpdate: verify.p50Ms / rawUpdate.p50Ms,
  };
}
