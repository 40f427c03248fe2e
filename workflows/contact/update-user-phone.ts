import type { ContactChangeResult, UpdateUserPhoneInput } from '../../messages/contact-change';
import { ProcessTrail } from '../process-trail';
import { runContactChange } from './run-contact-change';

/**
 * The customer changes the registered phone in real time: only with a VERIFIED
 * UPDATE_PHONE challenge sent to the new number, consumed exactly once by this run.
 */
export async function UpdateUserPhone(input: UpdateUserPhoneInput): Promise<ContactChangeResult> {
  const trail = new ProcessTrail('UPDATE_USER_PHONE');
  try {
    return await runContactChange(trail, {
      userId: input.userId,
      customerId: input.customerId,
      change: { phone: input.newPhone },
      linkedSystems: input.linkedSystems,
      mfaServiceKey: input.mfaServiceKey,
      unchanged: 'refuse',
    });
  } catch (err) {
    trail.finish('FAILED', trail.lastFailedStep());
    throw err;
  }
}
