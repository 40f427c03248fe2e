import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CustomerContactActivities } from '../../activities/customer-contacts';
import type { LinkedSystemActivities } from '../../activities/linked-systems';
import type { NoticeActivities } from '../../activities/notices';
import type { ContactOwner, MfaProofActivities } from '../../activities/types';
import type {
  ContactChange,
  ContactChangeResult,
  ContactField,
  Notification,
} from '../../messages/contact-change';
import { maskEmail, maskPhone } from '../../lib/mask';
import type { ProcessTrail } from '../process-trail';
import { businessFailure } from '../business-failure';
import {
  coreBankingOptions,
  messageOptions,
  entityUpdateOptions,
  propagationOptions,
} from '../activity-options';
import { propagateToAll } from './propagate';
import { consumerRef } from '../consumer-ref';

const core = proxyActivities<CustomerContactActivities>(coreBankingOptions);
const mfa = proxyActivities<MfaProofActivities>(entityUpdateOptions);
const linked = proxyActivities<LinkedSystemActivities>(propagationOptions);
const notices = proxyActivities<NoticeActivities>(messageOptions);

export interface ContactChangeRequest {
  userId?: string;
  customerId?: string;
  change: ContactChange;
  linkedSystems: string[];
  /** The customer's own change must consume a verified challenge for the new phone. */
  mfaServiceKey?: string;
  /** And a verified STEP_UP challenge sent to a factor on file (a new number is a new authenticator). */
  stepUpServiceKey?: string;
  /** Waits this long, cancellable, once the proofs are consumed and before core banking. */
  coolingOff?: { ms: number; wait: (trail: ProcessTrail, ms: number) => Promise<void> };
  /** What an unchanged request means: a refusal (phone update) or a no-op (PUT contact-info). */
  unchanged: 'refuse' | 'no-op';
}

/**
 * One contact change: find the owner → (consume the MFA proof) → update core banking
 * (read back) → propagate to linked systems in parallel → notify old and new contacts.
 * Nothing changes before the proof is consumed; every refusal leaves data untouched.
 */
export async function runContactChange(
  trail: ProcessTrail,
  req: ContactChangeRequest,
): Promise<ContactChangeResult> {
  const processId = workflowInfo().workflowId;
  // The change's identity for its side effects: the first run's id survives an ops reset
  // (a reset run re-applies, re-propagates and re-notifies under the same keys, so nothing
  // arrives twice) and equals the run id for every run never reset.
  const changeRef = `${processId}:${workflowInfo().firstExecutionRunId}`;
  const sideEffectRef = `${processId}.${workflowInfo().firstExecutionRunId}`;
  const owner = await trail.step(
    'LOOKUP',
    () => core.lookupContactOwner({ userId: req.userId, customerId: req.customerId, change: req.change }),
    (o) => (o.found ? `customer ${o.customerId}; changes: ${o.changed.join(', ') || 'none'}` : 'not found'),
  );
  if (!owner.found || (req.mfaServiceKey && !owner.userId)) {
    throw req.userId || req.mfaServiceKey
      ? businessFailure('USER_NOT_FOUND', 'No IB/MB user with that id.')
      : businessFailure('CUSTOMER_NOT_FOUND', 'The customer does not exist in core banking.');
  }
  const result = (
    changed: ContactField[],
    propagatedTo: string[],
    notifications: Notification[],
  ): ContactChangeResult => ({
    processId,
    status: 'COMPLETED',
    customerId: owner.customerId,
    userId: owner.userId,
    changed,
    ...masked(req.change, changed),
    propagatedTo,
    notifications,
  });
  if (owner.changed.length === 0) {
    if (req.unchanged === 'refuse')
      throw businessFailure('PHONE_UNCHANGED', 'The new phone is the registered one.');
    trail.finish('COMPLETED', 'nothing to change');
    return result([], [], []);
  }

  // Both proofs are consumed by this run's execution chain.
  const consumer = consumerRef();
  if (req.mfaServiceKey) {
    const serviceKey = req.mfaServiceKey;
    await trail.step('CONSUME_MFA', () =>
      mfa.consumeMfaChallenge({
        serviceKey,
        userId: owner.userId as string,
        phone: req.change.phone as string,
        consumerProcessId: consumer,
      }),
    );
  }

  if (req.stepUpServiceKey) {
    const serviceKey = req.stepUpServiceKey;
    // After the proof of the new number, whose phone binding only the workflow checks: the
    // API has checked this one's purpose, user and status, so it rarely fails here.
    await trail.step('CONSUME_STEP_UP', () =>
      mfa
        .consumeMfaChallenge({
          serviceKey,
          purpose: 'STEP_UP',
          userId: owner.userId as string,
          // Sent to the registered contacts: the phone on file now, if there is one.
          phone: owner.current.phone,
          consumerProcessId: consumer,
        })
        .catch((err: unknown) => {
          throw stepUpRefusal(err);
        }),
    );
  }

  if (req.coolingOff && req.coolingOff.ms > 0) {
    const { ms, wait } = req.coolingOff;
    // The window is only worth something if the owner of the factors on file hears of it.
    await trail.step('NOTIFY_PENDING', () =>
      Promise.all(
        onFile(owner).map((n, i) =>
          notices.sendContactNotice({
            id: `${sideEffectRef}.pending-${i}`,
            ...n,
            kind: 'PENDING_CHANGE',
            changed: owner.changed,
            minutesUntilEffective: Math.ceil(ms / 60_000),
          }),
        ),
      ),
    );
    await wait(trail, ms);
  }

  const change = only(req.change, owner.changed);
  await trail.step('UPDATE_CORE_BANKING', () =>
    core.applyContactChange({
      customerId: owner.customerId,
      businessKey: changeRef,
      change,
    }),
  );

  const propagate = () =>
    propagateToAll(trail, req.linkedSystems, (system) =>
      linked.propagateContactChange({
        system,
        webhookId: `${sideEffectRef}.${system}`,
        customerId: owner.customerId,
        userId: owner.userId,
        changed: owner.changed,
        change,
      }),
    );
  const notify = () =>
    trail.step('NOTIFY', () =>
      Promise.all(
        noticesFor(owner, change).map(async (n, i) => {
          const { to } = await notices.sendContactNotice({
            id: `${sideEffectRef}.notice-${i}`,
            changed: owner.changed,
            ...n,
          });
          return { channel: n.channel, to, status: 'SENT' as const, kind: n.kind };
        }),
      ),
    );

  // Core banking took the change: the old contacts hear of it now (a hijacked account's
  // owner must not wait out a linked system's outage, nor miss it when one refuses).
  const notified = notify();
  let propagatedTo: string[];
  try {
    propagatedTo = await propagate();
  } catch (err) {
    await notified.catch(() => undefined);
    throw err;
  }
  const sent = await notified;
  trail.finish('COMPLETED', `changed ${owner.changed.join(', ')}`);
  return result(owner.changed, propagatedTo, sent);
}

/** A refused step-up proof as its own business code; anything else (e.g. an outage) as it is. */
function stepUpRefusal(err: unknown): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'MFA_NOT_VERIFIED') return err;
  return businessFailure(
    'STEP_UP_REQUIRED',
    'The STEP_UP challenge is not a verified, unused proof of a factor on file for this user.',
    (cause.details?.[0] ?? {}) as Record<string, unknown>,
  );
}

/** The contacts on file get a security notice ("was this you?"), new ones a confirmation. */
function noticesFor(owner: ContactOwner, change: ContactChange) {
  const out: { channel: 'SMS' | 'EMAIL'; to: string; kind: Notification['kind'] }[] = [];
  const { phone, email } = owner.current;
  if (phone) out.push({ channel: 'SMS', to: phone, kind: 'SECURITY_NOTICE' });
  if (change.phone) out.push({ channel: 'SMS', to: change.phone, kind: 'CONFIRMATION' });
  if (email) out.push({ channel: 'EMAIL', to: email, kind: 'SECURITY_NOTICE' });
  if (change.email) out.push({ channel: 'EMAIL', to: change.email, kind: 'CONFIRMATION' });
  return out;
}

function onFile(owner: ContactOwner) {
  const out: { channel: 'SMS' | 'EMAIL'; to: string }[] = [];
  if (owner.current.phone) out.push({ channel: 'SMS', to: owner.current.phone });
  if (owner.current.email) out.push({ channel: 'EMAIL', to: owner.current.email });
  return out;
}

function only(change: ContactChange, fields: ContactField[]): ContactChange {
  return Object.fromEntries(fields.map((f) => [f, change[f]])) as ContactChange;
}

function masked(change: ContactChange, changed: ContactField[]) {
  const out: { phone?: string; email?: string } = {};
  if (changed.includes('phone') && change.phone) out.phone = maskPhone(change.phone);
  if (changed.includes('email') && change.email) out.email = maskEmail(change.email);
  return out;
}
