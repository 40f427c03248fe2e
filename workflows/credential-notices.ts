import { proxyActivities } from '@temporalio/workflow';
import type { NoticeActivities } from '../activities/notices';
import type { CredentialOwner } from '../activities/types';
import type { CredentialNotification } from '../messages/password-reset';
import type { CredentialNoticeKind } from '../activities/notice-templates';
import { messageOptions } from './activity-options';
import type { ProcessTrail } from './process-trail';

const notices = proxyActivities<NoticeActivities>(messageOptions);

/**
 * Tells the contacts on file (but `except`) what happened, in parallel, as one NOTIFY step.
 * Each message id is `{ref}.{kind}.{channel}`: a retry or an ops reset repeats none.
 */
export function notifyContacts(
  trail: ProcessTrail,
  owner: CredentialOwner,
  ref: string,
  kind: CredentialNoticeKind,
  except?: 'SMS' | 'EMAIL',
): Promise<CredentialNotification[]> {
  const targets: { channel: 'SMS' | 'EMAIL'; to: string }[] = [];
  if (owner.contacts.phone && except !== 'SMS') targets.push({ channel: 'SMS', to: owner.contacts.phone });
  if (owner.contacts.email && except !== 'EMAIL')
    targets.push({ channel: 'EMAIL', to: owner.contacts.email });
  if (targets.length === 0) {
    trail.record('NOTIFY', 'SKIPPED', 'no other contact on file');
    return Promise.resolve([]);
  }
  return trail.step(
    'NOTIFY',
    () =>
      Promise.all(
        targets.map(async (t) => {
          const { to } = await notices.sendCredentialNotice({
            id: `${ref}.${kind.toLowerCase()}.${t.channel.toLowerCase()}`,
            channel: t.channel,
            to: t.to,
            kind,
          });
          return { channel: t.channel, to, status: 'SENT' as const };
        }),
      ),
    (sent) => sent.map((n) => `${n.channel} ${n.to}`).join(', '),
  );
}
