/** A 2xx ESB body for an IB/MB user that meets the contract (adapters/core-banking/schemas.ts). */
export function ibUserBody() {
  return {
    userId: 'IBU1',
    customerId: 'C1',
    username: 'amina.w',
    channel: 'MOBILE',
    status: 'ACTIVE',
    businessKey: 'bk-1',
    mustChangePassword: true,
    passwordSetAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    deactivationReason: null,
  };
}
