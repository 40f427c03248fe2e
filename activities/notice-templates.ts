import type { ContactField } from '../messages/contact-change';

const LABELS: Record<ContactField, string> = {
  phone: 'mobile number',
  email: 'email address',
  postalAddress: 'postal address',
};

const list = (changed: ContactField[]) => changed.map((f) => LABELS[f]).join(' and ');

/** Contact-change notices: they say what changed, never the new values, and carry no secret. */
export const noticeTemplates = {
  securityNotice: (bankName: string, changed: ContactField[]) =>
    `${bankName}: the ${list(changed)} on your internet & mobile banking profile was changed. ` +
    'If this was not you, call us now on the number on your card.',
  confirmation: (bankName: string, changed: ContactField[]) =>
    `${bankName}: this is now the ${list(changed)} for your internet & mobile banking. No action is needed.`,
  /** Sent to the contacts on file at the start of a phone change's cooling-off window. */
  pendingChange: (bankName: string, changed: ContactField[], minutes: number) =>
    `${bankName}: a change of the ${list(changed)} on your internet & mobile banking profile was requested. ` +
    `It takes effect in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}. ` +
    'If this was not you, call us now on the number on your card to stop it.',
  emailSubject: (bankName: string, kind: 'SECURITY_NOTICE' | 'CONFIRMATION' | 'PENDING_CHANGE') =>
    kind === 'SECURITY_NOTICE'
      ? `${bankName}: your contact details were changed`
      : kind === 'PENDING_CHANGE'
        ? `${bankName}: a change of your contact details was requested`
        : `${bankName}: contact details confirmed`,
};

/** What a credential notice is about (reset, expiry, lock, unlock, close, security questions). */
export type CredentialNoticeKind =
  | 'PASSWORD_RESET'
  | 'PASSWORD_EXPIRED'
  | 'USER_LOCKED'
  | 'USER_UNLOCKED'
  | 'USER_CLOSED'
  | 'SECURITY_QUESTIONS_CHANGED';

const CREDENTIAL_NOTICE: Record<CredentialNoticeKind, { subject: string; text: string }> = {
  PASSWORD_RESET: {
    subject: 'your password was reset',
    text: 'the password of your internet & mobile banking was reset and a new first-time password was sent.',
  },
  PASSWORD_EXPIRED: {
    subject: 'your first-time password expired',
    text:
      'your internet & mobile banking first-time password expired unused and no longer works. ' +
      'To get a new one, choose "Forgot password" in the app or call us on the number on your card.',
  },
  USER_LOCKED: {
    subject: 'your internet & mobile banking is locked',
    text: 'your internet & mobile banking was locked. Call us on the number on your card to unlock it.',
  },
  USER_UNLOCKED: {
    subject: 'your internet & mobile banking is unlocked',
    text: 'your internet & mobile banking was unlocked and can be used again.',
  },
  USER_CLOSED: {
    subject: 'your internet & mobile banking was closed',
    text: 'your internet & mobile banking access was closed. Your accounts are not affected.',
  },
  SECURITY_QUESTIONS_CHANGED: {
    subject: 'your security questions were changed',
    text: 'the security questions of your internet & mobile banking were changed.',
  },
};

const UNLESS_YOU = ' If this was not you, call us now on the number on your card.';

/** Credential notices: what happened, never a password, answer or code. */
export const credentialNoticeTemplates = {
  text: (bankName: string, kind: CredentialNoticeKind) =>
    `${bankName}: ${CREDENTIAL_NOTICE[kind].text}` +
    (kind === 'PASSWORD_EXPIRED' || kind === 'USER_CLOSED' ? '' : UNLESS_YOU),
  subject: (bankName: string, kind: CredentialNoticeKind) =>
    `${bankName}: ${CREDENTIAL_NOTICE[kind].subject}`,
};
