/** Sizes of one bench run: the full run, or a seconds-long smoke (`--smoke`, BENCH_SMOKE=1). */
export interface BenchOptions {
  smoke: boolean;
  warmupMs: number;
  startConcurrency: number[];
  startPhaseMs: number;
  /** The production worker during the timed start phases: paused (SIGSTOP, the default) or running. */
  startWorker: 'paused' | 'running';
  onboardingConcurrency: number;
  onboardings: number;
  /** Onboardings (and as many baseline runs) timed one at a time, for the first-response ratio. */
  onboardingSerial: number;
  /** Onboarding and baseline run in this many alternating blocks each, so drift hits both alike. */
  onboardingBlocks: number;
  mfaIterations: number;
  scaleChallenges: number;
  scaleCreateConcurrency: number;
  scaleVerifySamples: number;
  /** Scenario 6: pre-login creates per second from one caller (open loop), for this many seconds. */
  preloginRate: number;
  preloginSeconds: number;
  /** The caller budget of scenario 6's second phase: smaller than rate × seconds, so some are refused. */
  preloginBudget: number;
  /** `--only=prelogin` (or BENCH_ONLY=prelogin): scenario 6 alone, written to results/prelogin*.json. */
  only: 'prelogin' | null;
}

const int = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d);

export function benchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  return {
    smoke,
    warmupMs: int(env.BENCH_WARMUP_MS, smoke ? 300 : 3_000),
    startConcurrency: list(env.BENCH_START_CONCURRENCY, smoke ? [1, 2] : [1, 8, 32, 64]),
    startPhaseMs: int(env.BENCH_START_PHASE_MS, smoke ? 500 : 4_000),
    startWorker: env.BENCH_START_WORKER === 'running' ? 'running' : 'paused',
    onboardingConcurrency: int(env.BENCH_ONBOARDING_CONCURRENCY, smoke ? 2 : 16),
    onboardings: int(env.BENCH_ONBOARDINGS, smoke ? 6 : 300),
    onboardingSerial: int(env.BENCH_ONBOARDING_SERIAL, smoke ? 4 : 60),
    onboardingBlocks: int(env.BENCH_ONBOARDING_BLOCKS, smoke ? 2 : 4),
    mfaIterations: int(env.BENCH_MFA_ITERATIONS, smoke ? 5 : 100),
    scaleChallenges: int(env.BENCH_SCALE_CHALLENGES, smoke ? 100 : 2_500),
    scaleCreateConcurrency: int(env.BENCH_SCALE_CONCURRENCY, smoke ? 8 : 12),
    scaleVerifySamples: int(env.BENCH_SCALE_VERIFY_SAMPLES, smoke ? 5 : 100),
    preloginRate: int(env.BENCH_PRELOGIN_RATE, 200),
    preloginSeconds: int(env.BENCH_PRELOGIN_SECONDS, smoke ? 0.25 : 5),
    preloginBudget: int(env.BENCH_PRELOGIN_BUDGET, smoke ? 30 : 100),
    only: argv.includes('--only=prelogin') || env.BENCH_ONLY === 'prelogin' ? 'prelogin' : null,
  };
}
