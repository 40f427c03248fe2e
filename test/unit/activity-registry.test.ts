import { createActivities, type ActivityDeps } from '../../activities';
import { createCoreBankingUserActivities } from '../../activities/core-banking-users';
import { createCredentialActivities } from '../../activities/credentials';
import { createCustomerContactActivities } from '../../activities/customer-contacts';
import { createKeyCheckActivities } from '../../activities/key-check';
import { createLinkedSystemActivities } from '../../activities/linked-systems';
import { createMfaProofActivities } from '../../activities/mfa-proofs';
import { createMfaUserLockActivities } from '../../activities/mfa-user-lock';
import { createNoticeActivities } from '../../activities/notices';
import { createQuotaActivities } from '../../activities/quotas';
import { createSelfServiceUserActivities } from '../../activities/self-service-users';

/**
 * The activity types recorded in histories (test/replay/histories) and scheduled by
 * running workflows: regrouping the activities by capability must not rename one.
 */
const ACTIVITY_TYPES = [
  'applyContactChange',
  'applyUserStatus',
  'armPasswordExpiry',
  'awaitRegistrationCode',
  'checkEligibility',
  'checkSelfServiceClients',
  'checkUserOtpLock',
  'confirmFirstLogin',
  'consumeMfaChallenge',
  'consumePhoneProof',
  'consumeRegistrationCode',
  'createIbUser',
  'createRegisteredUser',
  'createSelfServiceIbUser',
  'deactivateIbUser',
  'deactivateRegisteredUser',
  'deactivateUserByBusinessKey',
  'disableSelfServiceLogin',
  'getIbUserStatus',
  'issueFirstTimePassword',
  'lookupContactOwner',
  'lookupCredentialOwner',
  'matchRegistrationIdentity',
  'propagateContactChange',
  'propagateUserStatus',
  'provisionSelfServiceLogin',
  'readContactInfo',
  'readSelfServiceUser',
  'recordDisclosureAcceptance',
  'recordUserOtpAttempt',
  'resendChallengeCode',
  'reserveDestinationSend',
  'reserveIdentityAttempt',
  'resolveChallengeDestinations',
  'revokeFirstTimePassword',
  'sealFirstTimePassword',
  'sealGeneratedSelfServicePassword',
  'sendChallengeCode',
  'sendChallengeLeg',
  'sendContactNotice',
  'sendCredentialNotice',
  'sendSelfServicePassword',
  'serverKeyFingerprint',
  'setRegisteredPassword',
  'setSelfServiceAccess',
  'setSelfServiceLinkedCustomers',
  'storeSecurityAnswers',
  'syncUsernameToChannel',
];

// Building the factories calls no dependency: the clients are only used inside activities.
const deps = {
  temporal: { client: {}, taskQueue: 'q' },
  serverKey: Buffer.alloc(32),
  linkedSystems: new Map(),
} as unknown as ActivityDeps;

describe('activity registration', () => {
  const capabilities = {
    coreBankingUsers: createCoreBankingUserActivities(deps),
    customerContacts: createCustomerContactActivities(deps),
    credentials: createCredentialActivities(deps),
    notices: createNoticeActivities(deps),
    linkedSystems: createLinkedSystemActivities(deps),
    mfaProofs: createMfaProofActivities(deps),
    quotas: createQuotaActivities(deps),
    mfaUserLock: createMfaUserLockActivities(deps),
    keyCheck: createKeyCheckActivities(deps),
    selfServiceUsers: createSelfServiceUserActivities(deps),
  };

  it('registers every activity type exactly once, under its recorded name', () => {
    const names = Object.values(capabilities).flatMap((c) => Object.keys(c));
    // No capability shadows another's activity in the merged object.
    expect(names.length).toBe(new Set(names).size);
    expect(Object.keys(createActivities(deps)).sort()).toEqual([...ACTIVITY_TYPES].sort());
  });
});
