import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import { hmacHex } from '../lib/server-key';
import { KEY_CHECK_WORKFLOW, keyCheckLabel, keyCheckWorkflowId } from '../messages/key-check';

export type KeyCheckStatus = 'matches-worker' | 'mismatch' | 'unverified';

/**
 * Does the worker hold this API's server key? Every OTP and request digest is an HMAC
 * under it, made by the API and checked by the worker (or the other way round): with two
 * keys every verify would fail as a wrong code. So, once per API process, a tiny
 * ServerKeyCheck run asks a worker for HMAC(key, 'ibmb-key-check:' + nonce) and compares it
 * with its own; the nonce is fresh per process, so no fixed fingerprint of the key ever
 * exists. A settled answer is cached (keys change only with a restart): one workflow per
 * API start. No worker yet is not a mismatch: the API stays ready (runs queue until
 * workers come) and the check is tried again on the next /readyz.
 */
export function serverKeyCheck(deps: {
  client: Client;
  serverKey: Buffer;
  taskQueue: string;
  logger?: Logger;
}) {
  const nonce = randomBytes(16).toString('hex');
  const expected = hmacHex(deps.serverKey, keyCheckLabel(nonce));
  let settled: KeyCheckStatus | undefined;
  let inFlight: Promise<KeyCheckStatus> | undefined;
  const run = async (): Promise<KeyCheckStatus> => {
    try {
      const fingerprint = await deps.client.workflow.execute<(i: { nonce: string }) => Promise<string>>(
        KEY_CHECK_WORKFLOW,
        {
          workflowId: keyCheckWorkflowId(nonce),
          taskQueue: deps.taskQueue,
          args: [{ nonce }],
          workflowExecutionTimeout: '1 minute',
          // A restarted check (e.g. after a timeout) joins the run already going.
          workflowIdConflictPolicy: 'USE_EXISTING',
        },
      );
      settled = fingerprint === expected ? 'matches-worker' : 'mismatch';
      if (settled === 'mismatch')
        deps.logger?.error(
          { workflowId: keyCheckWorkflowId(nonce) },
          'SERVER_HMAC_KEY mismatch: the worker holds a different server key than this API',
        );
      return settled;
    } catch {
      return 'unverified';
    } finally {
      inFlight = undefined;
    }
  };
  return {
    /**
     * The check's answer; 'unverified' while no worker has answered. Only the call that
     * starts a check waits for it (up to `budgetMs`): probes while workers are down stay fast.
     */
    async status(budgetMs: number): Promise<KeyCheckStatus> {
      if (settled) return settled;
      if (inFlight) return 'unverified';
      inFlight = run();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<KeyCheckStatus>((r) => (timer = setTimeout(() => r('unverified'), budgetMs)));
      try {
        return await Promise.race([inFlight, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
