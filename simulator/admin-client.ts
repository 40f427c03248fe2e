import type { z } from 'zod';
import type { adminCreateCustomerSchema } from './schemas';

export type NewSimulatorCustomer = z.input<typeof adminCreateCustomerSchema>;

/** Adds a customer through a running simulator's admin route; anything but 201 throws. */
export async function addSimulatorCustomer(
  simulatorUrl: string,
  customer: NewSimulatorCustomer,
): Promise<void> {
  const res = await fetch(`${simulatorUrl}/admin/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(customer),
  });
  if (res.status !== 201)
    throw new Error(`adding customer ${customer.customerId}: ${res.status} ${await res.text()}`);
}
