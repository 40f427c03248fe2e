import type { EmailSender } from '../adapters/email/types';
import type { SmsSender } from '../adapters/sms/types';
import { maskEmail, maskPhone } from '../lib/mask';
import { translated } from './failures';
import { credentialNoticeTemplates, noticeTemplates } from './notice-templates';
import type { ContactNotice, CredentialNotice } from './types';

/**
 * Notices to the customer (a contact change, a credential event) by SMS or email, under
 * the caller's stable message id: what happened, never a password, answer or code.
 */
export interface NoticeDeps {
  sms: SmsSender;
  email: EmailSender;
  bankName: string;
}

export function createNoticeActivities(deps: NoticeDeps) {
  return {
    sendContactNotice: ({ id, channel, to, kind, changed, minutesUntilEffective = 0 }: ContactNotice) =>
      translated(async () => {
        const text =
          kind === 'SECURITY_NOTICE'
            ? noticeTemplates.securityNotice(deps.bankName, changed)
            : kind === 'PENDING_CHANGE'
              ? noticeTemplates.pendingChange(deps.bankName, changed, minutesUntilEffective)
              : noticeTemplates.confirmation(deps.bankName, changed);
        if (channel === 'SMS') {
          await deps.sms.send({ id, to, body: text });
          return { to: maskPhone(to) };
        }
        await deps.email.send({ id, to, subject: noticeTemplates.emailSubject(deps.bankName, kind), text });
        return { to: maskEmail(to) };
      }),

    sendCredentialNotice: ({ id, channel, to, kind }: CredentialNotice) =>
      translated(async () => {
        const text = credentialNoticeTemplates.text(deps.bankName, kind);
        if (channel === 'SMS') {
          await deps.sms.send({ id, to, body: text });
          return { to: maskPhone(to) };
        }
        await deps.email.send({
          id,
          to,
          subject: credentialNoticeTemplates.subject(deps.bankName, kind),
          text,
        });
        return { to: maskEmail(to) };
      }),
  };
}

export type NoticeActivities = ReturnType<typeof createNoticeActivities>;
