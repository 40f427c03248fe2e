import { proxyActivities } from '@temporalio/workflow';
import type { KeyCheckActivities } from '../../activities/key-check';
import type { KeyCheckInput } from '../../messages/key-check';

const { serverKeyFingerprint } = proxyActivities<KeyCheckActivities>({
  startToCloseTimeout: '5 seconds',
  scheduleToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '2 seconds' },
});

/** One activity: the worker's fingerprint of the API's label (messages/key-check.ts). */
export async function ServerKeyCheck(input: KeyCheckInput): Promise<string> {
  return serverKeyFingerprint(input);
}
