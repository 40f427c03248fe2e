import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mintDevToken } from '../../lib/dev-keys';
import { loadServerKey } from '../../lib/server-key';
import { shardCaps } from '../../config/mfa-policy';
import { MFA_QUOTA_WORKFLOW, quotaStateQuery } from '../../messages/mfa-quota';
import { callerQuotaId } from '../../clients/quota';
import { freePort } from '../../test/helpers/launcher';
import { benchHttpClient, type BenchHttpClient } from '../http-client';
import { round, summarize, type Summary } from '../stats';
import type { BenchStack } from '../stack';
import type { BenchOptions } from '../options';

/** One open-loop phase of pre-login creates from a single caller (one token subject). */
export interface PreloginPhase {
  /** The rate requests were scheduled at, and for how long. */
  targetPerSecond: number;
  durationMs: number;
  offered: number;
  /** Requests actually sent per second over the sending time (the load generator kept up or not). */
  sentPerSecond: number;
  /** Answers per second, from the first scheduled send to the last answer. */
  answeredPerSecond: number;
  /** Creates answered 201/202 (the caller's budget admitted the send), with their latency from the scheduled time. */
  admitted: Summary;
  /** 429 CALLER_RATE_LIMITED. */
  refused: number;
  /** Anything else: a non-2xx other than the caller's refusal, a dropped connection. */
  errors: number;
  errorSamples: string[];
  /** The caller's hourly budget in the API that served the phase. */
  budget: number;
  /** Sends each of the caller's quota shards holds afterwards (their sum is what was admitted). */
  shards: number[];
  /** The busiest shard's share of the admitted sends, and its admitting Updates per second over the phase. */
  hottestShardShare: number;
  hottestShardPerSecond: number;
  /**
   * Workflow tasks the worker ran on quota runs (MfaDestinationQuota: the caller's shards and
   * each admitted send's destination quota) during the phase, by its SDK metrics: admitting
   * and rejected Updates alike (a rejected one writes no history but is a workflow task).
   * Per second, and per admitted send: with nothing refused (budget above the load) that is
   * what admitting costs, and what a phase with refusals has beyond it is what they cost.
   */
  quotaTasksPerSecond: number;
  quotaTasksPerAdmitted: number;
}

export interface PreloginResult {
  /** The caller's budget far above the load (the stack's): how fast one caller's sends go. */
  burst: PreloginPhase;
  /**
   * The same load against an API whose caller budget is smaller than it: the admitted count
   * must equal the budget exactly (a budget of N admits N and refuses the N+1st).
   */
  exact: PreloginPhase & { exactlyBudget: boolean };
}

/**
 * Scenario 6: 200 pre-login sends a second (BENCH_PRELOGIN_RATE) from ONE caller, open loop
 * (each request leaves at its scheduled time whatever the answers, and its latency runs
 * from then), for BENCH_PRELOGIN_SECONDS, each to a fresh number with `Prefer: wait=0`
 * (admitted = 201 or 202). First against the stack's API (a budget far above the load):
 * the caller's budget is spread over MFA_PRELOGIN_CALLER_SHARDS quota runs, so no single
 * entity serializes all of it. Then against a second API process on the same server and
 * worker whose MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR is BENCH_PRELOGIN_BUDGET, smaller than
 * the load: exactly that many are admitted, the rest refused.
 */
export async function preloginScenario(stack: BenchStack, o: BenchOptions): Promise<PreloginResult> {
  const tag = Date.now().toString(36).slice(-5);
  const stackBudget = stack.config.MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR;
  const burstToken = await callerToken(stack, `bench-prelogin-${tag}-burst`);
  const burstClient = benchHttpClient(stack.launcher.apiUrl, burstToken.token);
  let burst: PreloginPhase;
  try {
    burst = await phase(stack, o, burstClient, burstToken.subject, stackBudget, '+254711');
  } finally {
    burstClient.close();
  }
  const api = await startBudgetApi(stack, o.preloginBudget);
  try {
    const exactToken = await callerToken(stack, `bench-prelogin-${tag}-exact`);
    const exactClient = benchHttpClient(api.url, exactToken.token);
    try {
      const exact = await phase(stack, o, exactClient, exactToken.subject, o.preloginBudget, '+254712');
      return { burst, exact: { ...exact, exactlyBudget: exact.admitted.ok === o.preloginBudget } };
    } finally {
      exactClient.close();
    }
  } finally {
    await api.stop();
  }
}

const callerToken = async (stack: BenchStack, subject: string) => ({
  subject,
  token: await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject, expiresIn: '2h' }),
});

async function phase(
  stack: BenchStack,
  o: BenchOptions,
  http: BenchHttpClient,
  subject: string,
  budget: number,
  phonePrefix: string,
): Promise<PreloginPhase> {
  const rate = o.preloginRate;
  const offered = Math.max(1, Math.round(rate * o.preloginSeconds));
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let refused = 0;
  let errors = 0;
  let lastSentAt = 0;
  let lastAnswerAt = 0;
  const quotaTasksBefore = await quotaWorkflowTasks(stack);
  const t0 = performance.now();
  const send = async (i: number, scheduledAt: number) => {
    try {
      const res = await http.request(
        'POST',
        '/mfa/challenges',
        { purpose: 'ONBOARDING', phone: `${phonePrefix}${String(i).padStart(6, '0')}` },
        { prefer: 'wait=0' },
      );
      if (res.status === 201 || res.status === 202) latencies.push(performance.now() - scheduledAt);
      else if (res.status === 429 && res.body.code === 'CALLER_RATE_LIMITED') refused++;
      else throw new Error(`POST /mfa/challenges answered ${res.status}: ${JSON.stringify(res.body)}`);
    } catch (e) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(e instanceof Error ? e.message : String(e));
    } finally {
      lastAnswerAt = performance.now();
    }
  };
  // Open loop: request i leaves at t0 + i/rate, whatever the earlier ones are doing.
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < offered; i++) {
    const scheduledAt = t0 + (i * 1000) / rate;
    const wait = scheduledAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    lastSentAt = performance.now();
    inFlight.push(send(i, scheduledAt));
  }
  await Promise.all(inFlight);
  const quotaTasks = (await quotaWorkflowTasks(stack)) - quotaTasksBefore;
  const shards = await shardCounts(stack, subject, budget);
  const durationMs = (offered * 1000) / rate;
  const hottest = Math.max(0, ...shards);
  const admitted = summarize(latencies, 0, lastAnswerAt - t0);
  return {
    targetPerSecond: rate,
    durationMs: round(durationMs),
    offered,
    sentPerSecond: round(offered / Math.max(1e-3, (lastSentAt - t0) / 1000 + 1 / rate)),
    answeredPerSecond: round((offered * 1000) / Math.max(1, lastAnswerAt - t0)),
    admitted,
    refused,
    errors,
    errorSamples,
    budget,
    shards,
    hottestShardShare: admitted.ok ? round(hottest / admitted.ok, 3) : 0,
    hottestShardPerSecond: round((hottest * 1000) / durationMs),
    quotaTasksPerSecond: round((quotaTasks * 1000) / Math.max(1, lastAnswerAt - t0)),
    quotaTasksPerAdmitted: admitted.ok ? round(quotaTasks / admitted.ok, 2) : 0,
  };
}

/**
 * Workflow tasks the worker has run on quota runs so far: its SDK metrics' task execution
 * count for MfaDestinationQuota (every task queue; none yet: 0); NaN without metrics.
 */
async function quotaWorkflowTasks(stack: BenchStack): Promise<number> {
  const text = await stack.workerMetrics().catch(() => '');
  const lines = text
    .split('\n')
    .filter(
      (l) =>
        /^temporal_workflow_task_execution_latency\w*_count\{/.test(l) &&
        l.includes(`workflow_type="${MFA_QUOTA_WORKFLOW}"`),
    );
  if (!text.includes('temporal_')) return NaN;
  return lines.reduce((sum, l) => sum + Number(l.split(/\s+/).at(-1)), 0);
}

/** The sends each of the caller's quota shards (clients/quota.ts) holds, by query. */
async function shardCounts(stack: BenchStack, subject: string, budget: number): Promise<number[]> {
  const serverKey = loadServerKey({
    configured: stack.config.SERVER_HMAC_KEY,
    keysDir: stack.config.keysDir,
  });
  const caps = shardCaps(budget, stack.config.MFA_PRELOGIN_CALLER_SHARDS);
  return Promise.all(
    caps.map(async (_, shard) => {
      try {
        const handle = stack.client.workflow.getHandle(callerQuotaId(serverKey, subject, shard));
        return (await handle.query(quotaStateQuery)).sendsInLastDay;
      } catch {
        return 0; // never started: no send reached it
      }
    }),
  );
}

/**
 * A second API process on the stack's server and DATA_DIR (keys, outbox), differing only
 * in the caller budget under test; stopped (SIGTERM, by its pid) after the phase.
 */
async function startBudgetApi(
  stack: BenchStack,
  budget: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/api/main.js')], {
    env: {
      ...process.env,
      ...stack.env,
      DATA_DIR: stack.launcher.dataDir,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: stack.temporalAddress,
      HOST: '127.0.0.1',
      PORT: String(port),
      API_METRICS_PORT: String(await freePort()),
      MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: String(budget),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the budget API did not become ready:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
