import { createContactChangeActivities, type ContactChangeDeps } from './contact-change';
import { createKeyCheckActivities } from './key-check';
import { createMfaActivities, type MfaDeps } from './mfa';
import { createOnboardingActivities, type OnboardingDeps } from './onboarding';

export type ActivityDeps = OnboardingDeps & MfaDeps & ContactChangeDeps;

/** Every activity the worker registers, built from its clients (no globals). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOnboardingActivities(deps),
    ...createMfaActivities(deps),
    ...createContactChangeActivities(deps),
    ...createKeyCheckActivities(deps),
  };
}
