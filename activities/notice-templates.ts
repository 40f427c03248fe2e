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
