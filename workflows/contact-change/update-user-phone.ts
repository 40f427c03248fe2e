import { ApplicationFailure } from '@temporalio/workflow';
import type { ContactChangeResult, UpdateUserPhoneInput } from '../../messages/contact-change';
import { ProcessTrail } from '../process-trail';
import { CoolingOff } from './cooling-off';
import { runContactChange } from './run-contact-change';

/**
 * The customer changes the registered phone in real time: only with a VERIFIED
 * UPDATE_PHONE challenge sent to the new number and a VERIFIED STEP_UP challenge sent
 * to a factor on file, both consumed exactly once by this run; then, if configured, a
 * cancellable cooling-off window before core banking is updated.
 */
export async function UpdateUserPhone(input: UpdateUserPhoneInput): Promise<ContactChangeResult> {
  const trail = new ProcessTrail('UPDATE_USER_PHONE');
  const coolingOff = new CoolingOff();
  try {
    // The workflow itself never moves a phone on the new number's proof alone.
    if (!input.stepUpServiceKey) {
      throw ApplicationFailure.create({
        type: 'STEP_UP_REQUIRED',
        message: 'A verified STEP_UP challenge sent to a factor on file is required.',
        nonRetryable: true,
      });
    }
    return await runContactChange(trail, {
      userId: input.userId,
      customerId: input.customerId,
      change: { phone: input.newPhone },
      linkedSystems: input.linkedSystems,
      mfaServiceKey: input.mfaServiceKey,
      stepUpServiceKey: input.stepUpServiceKey,
      coolingOff: {
        ms: (input.coolingOffMinutes ?? 0) * 60_000,
        wait: (t: ProcessTrail, ms: number) => coolingOff.wait(t, ms),
      },
      unchanged: 'refuse',
    });
  } catch (err) {
    trail.finish('FAILED', trail.lastFailedStep());
    throw err;
  }
}
