import type { Principal } from './auth';
import { ProblemError } from './problem';

/**
 * A self-service user's token (MBanq) acts only for the customers in its `clients` claim.
 * One refusal for every customer outside them, known or not, so a token cannot probe
 * which ids exist. Bank staff (`staffScope`) are not bound to clients.
 */
export function assertActsFor(principal: Principal, customerId: string, staffScope: string): void {
  if (principal.scopes.has(staffScope)) return;
  if (principal.clients?.includes(customerId)) return;
  throw new ProblemError(
    403,
    principal.clients ? 'CUSTOMER_NOT_LINKED' : 'SELF_SERVICE_TOKEN_REQUIRED',
    principal.clients ? 'Customer not linked' : 'Self-service token required',
    principal.clients
      ? 'This token acts only for the customers in its clients claim.'
      : "This scope is honoured only on a self-service user's token (with a clients claim).",
  );
}
