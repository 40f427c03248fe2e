import { createMfaActivities, type MfaDeps } from './mfa';
import { createOnboardingActivities, type OnboardingDeps } from './onboarding';

export type ActivityDeps = OnboardingDeps & MfaDeps;

/** Every activity the worker registers, built from its clients (no globals). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOnboardingActivities(deps),
    ...createMfaActivities(deps),
  };
}
