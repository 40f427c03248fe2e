import { proxyActivities } from '@temporalio/workflow';
import type { CustomerContactActivities } from '../../activities/customer-contacts';
import type { ContactInfoRead } from '../../messages/contact-change';
import { lookupOptions } from '../activity-options';

const core = proxyActivities<CustomerContactActivities>({
  ...lookupOptions,
  // A read the caller waits for: it gives up with the caller rather than retrying for hours.
  scheduleToCloseTimeout: '20 seconds',
});

/**
 * GET /customers/{customerId}/contact-info (Candescent Update Contact Info: "verify that a
 * customer exists"): one read of core banking, masked in the activity, so the history holds
 * no usable contact. No side effect: a retry or a reset repeats nothing anyone sees.
 */
export async function ReadContactInfo(input: { customerId: string }): Promise<ContactInfoRead> {
  return core.readContactInfo({ customerId: input.customerId });
}
