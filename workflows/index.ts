// The workflow bundle's entry: every workflow type the worker registers.
import { OnboardIbUser } from './onboarding/onboard-ib-user';
import { MfaChallenge } from './mfa/mfa-challenge';
import { MfaDestinationQuota } from './mfa/destination-quota';
import { MfaUserOtpLock } from './mfa/user-lock';
import { UpdateUserPhone } from './contact-change/update-user-phone';
import { UpdateContactInfo } from './contact-change/update-contact-info';
import { ReadContactInfo } from './contact-change/read-contact-info';
import { ServerKeyCheck } from './key-check/server-key-check';
import { SelfRegistration } from './registration/self-registration';
import { ResetUserPassword } from './password-reset/reset-user-password';
import { FirstTimePasswordExpiry } from './password-expiry/first-time-password-expiry';
import { ChangeUserStatus } from './user-status/change-user-status';
import { UpdateSecurityQuestions } from './security-questions/update-security-questions';
import { CreateSelfServiceUser } from './self-service-users/create-self-service-user';
import { UpdateSelfServiceUser, ReadSelfServiceUser } from './self-service-users/update-self-service-user';
import { versioned } from './versioning';

/**
 * Worker Versioning (docs/operations.md). A short-lived process is PINNED: it runs to its
 * end on the build it started on, so a new build never replays it. A long-lived entity
 * (the quotas, the per-user lock, the first-time password's expiry) AUTO_UPGRADEs: its next
 * task runs on the new current build, so its changes still go behind `patched()`. Every
 * type says which; the worker's default (pinned) is only a safety net.
 */
versioned(
  'PINNED',
  OnboardIbUser,
  MfaChallenge,
  UpdateUserPhone,
  UpdateContactInfo,
  ReadContactInfo,
  ServerKeyCheck,
  SelfRegistration,
  ResetUserPassword,
  ChangeUserStatus,
  UpdateSecurityQuestions,
  CreateSelfServiceUser,
  UpdateSelfServiceUser,
  ReadSelfServiceUser,
);
versioned('AUTO_UPGRADE', MfaDestinationQuota, MfaUserOtpLock, FirstTimePasswordExpiry);

export {
  OnboardIbUser,
  MfaChallenge,
  MfaDestinationQuota,
  MfaUserOtpLock,
  UpdateUserPhone,
  UpdateContactInfo,
  ReadContactInfo,
  ServerKeyCheck,
  SelfRegistration,
  ResetUserPassword,
  FirstTimePasswordExpiry,
  ChangeUserStatus,
  UpdateSecurityQuestions,
  CreateSelfServiceUser,
  UpdateSelfServiceUser,
  ReadSelfServiceUser,
};
