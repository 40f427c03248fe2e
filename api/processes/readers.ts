import type { StarterMemo } from '../../clients/process-start';
import type { Principal } from '../http/auth';

export type { StarterMemo };

/**
 * A process is readable by the subject that started it (StarterMemo), or with scope
 * processes:read-all (operations staff); to anyone else it does not exist.
 */

export const starterMemo = (principal: Principal | undefined): StarterMemo =>
  principal ? { startedBy: principal.subject } : {};

export function mayRead(principal: Principal, memo: Record<string, unknown> | undefined): boolean {
  if (principal.scopes.has('processes:read-all')) return true;
  const startedBy = (memo as StarterMemo | undefined)?.startedBy;
  return startedBy !== undefined && startedBy === principal.subject;
}

/**
 * Cancelling a phone change is a write: by the subject that started it (with
 * ib-users:write), or by bank staff (institution-users:write). processes:read-all is not enough.
 */
export function mayCancel(principal: Principal, memo: Record<string, unknown> | undefined): boolean {
  if (principal.scopes.has('institution-users:write')) return true;
  const startedBy = (memo as StarterMemo | undefined)?.startedBy;
  return principal.scopes.has('ib-users:write') && startedBy !== undefined && startedBy === principal.subject;
}
