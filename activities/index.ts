import { createCoreBankingUserActivities, type CoreBankingUserDeps } from './core-banking-users';
import { createCredentialActivities, type CredentialDeps } from './credentials';
import { createCustomerContactActivities, type CustomerContactDeps } from './customer-contacts';
import { createKeyCheckActivities } from './key-check';
import { createLinkedSystemActivities, type LinkedSystemActivityDeps } from './linked-systems';
import { createMfaProofActivities, type MfaDeps } from './mfa-proofs';
import { createMfaUserLockActivities, type MfaUserLockDeps } from './mfa-user-lock';
import { createNoticeActivities, type NoticeDeps } from './notices';
import { createQuotaActivities } from './quotas';
import { createSelfServiceUserActivities, type SelfServiceUserDeps } from './self-service-users';

export type ActivityDeps = CoreBankingUserDeps &
  CredentialDeps &
  CustomerContactDeps &
  LinkedSystemActivityDeps &
  NoticeDeps &
  MfaDeps &
  MfaUserLockDeps &
  SelfServiceUserDeps;

/**
 * Every activity the worker registers, by capability, built from its clients (no
 * globals). The property names are the activity types recorded in histories: each is
 * defined by exactly one capability (test/unit/activity-registry.test.ts).
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCoreBankingUserActivities(deps),
    ...createCustomerContactActivities(deps),
    ...createCredentialActivities(deps),
    ...createNoticeActivities(deps),
    ...createLinkedSystemActivities(deps),
    ...createMfaProofActivities(deps),
    ...createQuotaActivities(deps),
    ...createMfaUserLockActivities(deps),
    ...createKeyCheckActivities(deps),
    ...createSelfServiceUserActivities(deps),
  };
}
