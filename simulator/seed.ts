import type { IbUser } from '../adapters/core-banking/types';
import type { SimCustomer, SimulatorState } from './store';

/**
 * Demo customers the simulator starts with when its store is empty, one per
 * onboarding outcome. docs/esb-contract.md lists them; tests use them by id.
 */
export type DemoScenario = 'eligible' | 'already-registered' | 'no-mobile' | 'no-product';

export interface DemoCustomer {
  customer: SimCustomer;
  scenario: DemoScenario;
  /** The IB user the customer already has (only for 'already-registered'). */
  ibUser?: { userId: string; username: string; businessKey: string; channel: string };
}

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    scenario: 'eligible',
    customer: {
      customerId: '100001',
      dateOfBirth: '1990-04-12',
      nationalId: '27640001',
      firstName: 'Amina',
      lastName: 'Wanjiru',
      mobilePhone: '+254700100001',
      email: 'amina.wanjiru@example.com',
      products: [{ productId: 'SAV-100001', type: 'SAVINGS', status: 'ACTIVE' }],
      status: 'ACTIVE',
    },
  },
  {
    scenario: 'already-registered',
    customer: {
      customerId: '100002',
      dateOfBirth: '1985-11-03',
      nationalId: '27640002',
      firstName: 'Brian',
      lastName: 'Otieno',
      mobilePhone: '+254700100002',
      email: 'brian.otieno@example.com',
      products: [{ productId: 'CUR-100002', type: 'CURRENT', status: 'ACTIVE' }],
      status: 'ACTIVE',
    },
    ibUser: { userId: 'IBU00100002', username: 'brian.otieno', businessKey: 'seed-100002', channel: 'MB' },
  },
  {
    scenario: 'no-mobile',
    customer: {
      customerId: '100003',
      dateOfBirth: '1992-07-21',
      nationalId: '27640003',
      firstName: 'Caroline',
      lastName: 'Achieng',
      mobilePhone: null,
      email: 'caroline.achieng@example.com',
      products: [{ productId: 'SAV-100003', type: 'SAVINGS', status: 'ACTIVE' }],
      status: 'ACTIVE',
    },
  },
  {
    scenario: 'no-product',
    customer: {
      customerId: '100004',
      dateOfBirth: '1978-01-30',
      nationalId: '27640004',
      firstName: 'Daniel',
      lastName: 'Kiprop',
      mobilePhone: '+254700100004',
      email: 'daniel.kiprop@example.com',
      products: [],
      status: 'ACTIVE',
    },
  },
  {
    scenario: 'eligible',
    customer: {
      customerId: '100005',
      dateOfBirth: '1995-09-09',
      nationalId: '27640005',
      firstName: 'Grace',
      lastName: 'Njeri',
      mobilePhone: '+254700100005',
      email: 'grace.njeri@example.com',
      products: [{ productId: 'SAV-100005', type: 'SAVINGS', status: 'ACTIVE' }],
      status: 'ACTIVE',
    },
  },
];

/**
 * Writes the demo customers (and brian.otieno's user) into an empty state; true when
 * it did. SimulatorStore.open calls it before writing its first snapshot, so the seed
 * is durable as soon as open() returns.
 */
export function seedIfEmpty(state: SimulatorState, now: Date = new Date()): boolean {
  if (Object.keys(state.customers).length > 0 || Object.keys(state.ibUsers).length > 0) return false;
  for (const demo of DEMO_CUSTOMERS) {
    state.customers[demo.customer.customerId] = structuredClone(demo.customer);
    if (demo.ibUser) {
      state.ibUsers[demo.ibUser.userId] = seededUser(
        demo.customer.customerId,
        demo.ibUser,
        now.toISOString(),
      );
    }
  }
  return true;
}

function seededUser(customerId: string, user: NonNullable<DemoCustomer['ibUser']>, at: string): IbUser {
  return {
    ...user,
    customerId,
    status: 'ACTIVE',
    mustChangePassword: false,
    passwordSetAt: at,
    createdAt: at,
    updatedAt: at,
    deactivationReason: null,
  };
}
