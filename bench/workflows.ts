// Bench-only baselines, bundled by the bench's own worker (never part of the production bundle).
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface NoopActivities {
  noop(step: string): Promise<string>;
}

const { noop } = proxyActivities<NoopActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The onboarding's shape with nothing inside: four activities in a row (eligibility, create, sync, SMS). */
export async function BaselineOnboarding(input: {
  customerId: string;
}): Promise<{ customerId: string; steps: string[] }> {
  const steps: string[] = [];
  for (const step of ['CHECK_ELIGIBILITY', 'CREATE_IB_USER', 'SYNC_USERNAME', 'SEND_FIRST_TIME_PASSWORD'])
    steps.push(await noop(step));
  return { customerId: input.customerId, steps };
}

export const pingUpdate = defineUpdate<{ n: number }, [{ n: number }]>('ping');
export const finishUpdate = defineUpdate<void>('finish');

/** A bare workflow with a trivial Update, the floor for an Update round trip. */
export async function BareUpdate(): Promise<number> {
  let pings = 0;
  let done = false;
  setHandler(pingUpdate, (args) => ({ n: args.n + ++pings }));
  setHandler(finishUpdate, () => void (done = true));
  await condition(() => done, '20 minutes');
  return pings;
}
