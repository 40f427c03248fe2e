import type { ContactChangeResult, UpdateContactInfoInput } from '../../messages/contact-change';
import { ProcessTrail } from '../process-trail';
import { runContactChange } from './run-contact-change';

/**
 * The institution updates a customer's email, or phone plus postal address, in one
 * call (Candescent Update Contact Info); the customer is told what changed.
 */
export async function UpdateContactInfo(input: UpdateContactInfoInput): Promise<ContactChangeResult> {
  const trail = new ProcessTrail('UPDATE_CONTACT_INFO');
  try {
    return await runContactChange(trail, {
      customerId: input.customerId,
      change: input.change,
      linkedSystems: input.linkedSystems,
      unchanged: 'no-op',
    });
  } catch (err) {
    trail.finish('FAILED', trail.lastFailedStep());
    throw err;
  }
}
