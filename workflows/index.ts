// The workflow bundle's entry: every workflow type the worker registers.
export { OnboardIbUser } from './onboarding/onboard-ib-user';
export { MfaChallenge } from './mfa/mfa-challenge';
export { MfaDestinationQuota } from './mfa/destination-quota';
export { MfaUserOtpLock } from './mfa/user-lock';
export { UpdateUserPhone } from './contact-change/update-user-phone';
export { UpdateContactInfo } from './contact-change/update-contact-info';
export { ServerKeyCheck } from './key-check/server-key-check';
export { SelfRegistration } from './registration/self-registration';
export { ResetUserPassword } from './password-reset/reset-user-password';
export { FirstTimePasswordExpiry } from './password-expiry/first-time-password-expiry';
export { ChangeUserStatus } from './user-status/change-user-status';
export { UpdateSecurityQuestions } from './security-questions/update-security-questions';
export { CreateSelfServiceUser } from './self-service-users/create-self-service-user';
export { UpdateSelfServiceUser, ReadSelfServiceUser } from './self-service-users/update-self-service-user';
