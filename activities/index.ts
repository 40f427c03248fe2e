import { createContactChangeActivities, type ContactChangeDeps } from './contact-change';
import { createKeyCheckActivities } from './key-check';
import { createMfaProofActivities, type MfaDeps } from './mfa-proofs';
import { createMfaUserLockActivities, type MfaUserLockDeps } from './mfa-user-lock';
import { createOnboardingActivities, type OnboardingDeps } from './onboarding';
import { createQuotaActivities } from './quotas';
import { createRegistrationActivities } from './registration';
import { createSelfServiceUserActivities } from './self-service-users';
import { createCredentialActivities, type CredentialDeps } from './user-credentials';

export type ActivityDeps = OnboardingDeps & MfaDeps & MfaUserLockDeps & ContactChangeDeps & CredentialDeps;

/** Every activity the worker registers, built from its clients (no globals). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOnboardingActivities(deps),
    ...createMfaProofActivities(deps),
    ...createQuotaActivities(deps),
    ...createMfaUserLockActivities(deps),
    ...createContactChangeActivities(deps),
    ...createKeyCheckActivities(deps),
    ...createRegistrationActivities(deps),
    ...createCredentialActivities(deps),
    ...createSelfServiceUserActivities(deps),
  };
}
