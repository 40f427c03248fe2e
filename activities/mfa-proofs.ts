import { ApplicationFailure, Context } from '@temporalio/activity';
import { coreBankingContext } from './current-run';
import type { Client } from '@temporalio/client';
import type { CoreBankingClient } from '../adapters/core-banking/types';
import { BusinessError } from '../adapters/errors';
import type { EmailSender } from '../adapters/email/types';
import type { SmsSender } from '../adapters/sms/types';
import { maskEmail, maskPhone } from '../lib/mask';
import { canonicalPhone } from '../rules/phone';
import { derivedOtp, destinationDigest, otpDigest, seal, unseal } from '../lib/mfa-crypto';
import { POSSESSION_ONLY_PURPOSES, type MfaPurpose } from '../messages/mfa';
import type { DestinationQuotaPolicy } from '../messages/mfa-quota';
import { awaitFirstCode, consumeChallenge } from '../clients/mfa-challenge';
import { translated } from './failures';
import type {
  ConsumeMfaChallengeInput,
  ContactRef,
  Delivery,
  PhoneProofInput,
  ResendCodeInput,
  ResolveDestinationsInput,
  ResolvedDestinations,
  SendCodeInput,
  SendLegInput,
  SentCode,
} from './mfa-proof-types';
import { templates } from './templates';
import { doneAt } from './done-at';

export interface MfaDeps {
  coreBanking: CoreBankingClient;
  sms: SmsSender;
  email: EmailSender;
  bankName: string;
  /** MFA_WEBOTP_HOST: origin host for the SMS's WebOTP line; none when unset. */
  webOtpHost?: string;
  /** The same key the API digests with (SERVER_HMAC_KEY or DATA_DIR/keys). */
  serverKey: Buffer;
  /** For the destination quota entity workflows. */
  /** entityTaskQueue: where quota workflows run (config entityTaskQueue); taskQueue without it. */
  temporal: { client: Client; taskQueue: string; entityTaskQueue?: string };
  destinationQuota: DestinationQuotaPolicy;
}

/** The plain destinations inside the sealed blob. */
interface Destinations {
  phone?: string;
  email?: string;
}

export function createMfaProofActivities(deps: MfaDeps) {
  const { serverKey } = deps;
  // Read when a proof is consumed: the send activities need no Temporal client.
  const client = () => deps.temporal.client;

  const mfaNotVerified = (why: string) =>
    ApplicationFailure.create({
      type: 'MFA_NOT_VERIFIED',
      message: 'The MFA challenge is not a verified, unused proof of this number for this user.',
      nonRetryable: true,
      details: [{ reason: why }],
    });

  /** Consumes a challenge once as this process's proof; a retry after our own consume succeeds. */
  async function consume({
    serviceKey,
    userId,
    phone,
    purpose,
    consumerProcessId,
  }: {
    serviceKey: string;
    userId?: string;
    phone: string | null;
    purpose: MfaPurpose;
    consumerProcessId: string;
  }): Promise<void> {
    const binding = {
      purpose,
      userId,
      ...(phone ? { phoneDigest: destinationDigest(serverKey, phone) } : {}),
    };
    const outcome = await consumeChallenge(client(), serviceKey, binding, consumerProcessId);
    if (!outcome.consumed) throw mfaNotVerified(outcome.reason);
  }

  /** Opaque and stable per destination: a prefix of its keyed digest. */
  const contactRef = (destination: string, mask: (d: string) => string): ContactRef => {
    const digest = destinationDigest(serverKey, destination);
    return { masked: mask(destination), referenceId: digest.slice(0, 16), digest };
  };

  /** The user a challenge is bound to must exist and be active. */
  async function liveUser(userId: string) {
    const user = await deps.coreBanking.getIbUser(userId, coreBankingContext());
    if (user.status !== 'ACTIVE') {
      throw new BusinessError('USER_NOT_ACTIVE', `IB/MB user ${userId} is ${user.status}.`, { userId });
    }
    return user;
  }

  async function registeredContacts(userId: string, purpose: MfaPurpose): Promise<Destinations> {
    const user = await liveUser(userId);
    const customer = await deps.coreBanking.getCustomer(user.customerId, coreBankingContext());
    // Step-up and reset codes prove possession of the phone on file: never the mailbox.
    if (POSSESSION_ONLY_PURPOSES.includes(purpose)) {
      if (!customer.mobilePhone) {
        throw new BusinessError('NO_REGISTERED_CONTACT', `IB/MB user ${userId} has no registered phone.`, {
          userId,
        });
      }
      return { phone: customer.mobilePhone };
    }
    if (!customer.mobilePhone && !customer.email) {
      throw new BusinessError(
        'NO_REGISTERED_CONTACT',
        `IB/MB user ${userId} has no registered phone or email.`,
        {
          userId,
        },
      );
    }
    return { phone: customer.mobilePhone ?? undefined, email: customer.email ?? undefined };
  }

  /**
   * Sends the code to every destination; a definite refusal on one is tolerated if another
   * got it. Each accepted leg is heartbeated, so a retry (another leg failed transiently)
   * sends only to the destinations that have not accepted the message yet.
   */
  async function deliver(
    destinations: Destinations,
    message: { code: string; purpose: MfaPurpose; expiresAt: string },
    messageId: string,
    passedOn: Delivery[] = [],
  ): Promise<Delivery[]> {
    const text = {
      bankName: deps.bankName,
      code: message.code,
      purpose: message.purpose,
      minutesValid: minutesUntil(message.expiresAt),
    };
    const deliveries: Delivery[] = [];
    const refusals: BusinessError[] = [];
    const accepted = [...acceptedEarlier(), ...passedOn];
    const attempt = async (channel: Delivery['channel'], send: () => Promise<Delivery>) => {
      const earlier = accepted.find((d) => d.channel === channel);
      if (earlier) {
        deliveries.push(earlier);
        return;
      }
      try {
        deliveries.push(await send());
        // A local attempt has no heartbeat: withAccepted passes the legs on instead.
        if (!Context.current().info.isLocal)
          Context.current().heartbeat({ accepted: deliveries } satisfies AcceptedLegs);
      } catch (e) {
        if (!(e instanceof BusinessError)) throw withAccepted(e, deliveries); // transient: retried
        refusals.push(e);
      }
    };
    const { phone, email } = destinations;
    if (phone) {
      await attempt('SMS', async () => {
        const receipt = await deps.sms.send({
          id: `${messageId}.sms`,
          to: phone,
          body: templates.otpSms({ ...text, ...(deps.webOtpHost && { webOtpHost: deps.webOtpHost }) }),
        });
        return {
          channel: 'SMS',
          referenceId: contactRef(phone, maskPhone).referenceId,
          provider: receipt.provider,
        };
      });
    }
    if (email) {
      await attempt('EMAIL', async () => {
        const { subject, text: body } = templates.otpEmail(text);
        const receipt = await deps.email.send({ id: `${messageId}.email`, to: email, subject, text: body });
        return {
          channel: 'EMAIL',
          referenceId: contactRef(email, maskEmail).referenceId,
          provider: receipt.provider,
        };
      });
    }
    if (deliveries.length === 0) {
      throw new BusinessError('OTP_DELIVERY_FAILED', 'No destination accepted the code.', {
        reasons: refusals.map((r) => r.code),
      });
    }
    return deliveries;
  }

  // Numbers on file in canonical E.164 too: one number, one digest, one budget.
  const resolved = (serviceKey: string, given: Destinations) => {
    const destinations = given.phone ? { ...given, phone: canonicalPhone(given.phone) } : given;
    return {
      phone: destinations.phone ? [contactRef(destinations.phone, maskPhone)] : [],
      email: destinations.email ? [contactRef(destinations.email, maskEmail)] : [],
      sealed: seal(serverKey, serviceKey, JSON.stringify(destinations)),
    };
  };

  /** A registration code goes to the customer's mobile on file only: never to a typed one. */
  async function mobileOnFile(input: { customerId?: string; phone?: string; email?: string }) {
    if (!input.customerId || input.phone || input.email) {
      throw new BusinessError(
        'NO_REGISTERED_CONTACT',
        'A registration code goes to the mobile on file only.',
      );
    }
    const customer = await deps.coreBanking.getCustomer(input.customerId, coreBankingContext());
    if (!customer.mobilePhone) {
      throw new BusinessError('NO_REGISTERED_CONTACT', 'The customer has no registered mobile number.');
    }
    return { phone: customer.mobilePhone };
  }

  /** The sealed destinations, less those whose digest is in `skip` (over their quota). */
  const openDestinations = (serviceKey: string, sealed: string, skip: string[] = []): Destinations => {
    const all = JSON.parse(unseal(serverKey, serviceKey, sealed)) as Destinations;
    const kept = (d: string | undefined) =>
      d && !skip.includes(destinationDigest(serverKey, d)) ? d : undefined;
    return { phone: kept(all.phone), email: kept(all.email) };
  };

  return {
    resolveChallengeDestinations: (input: ResolveDestinationsInput): Promise<ResolvedDestinations> =>
      doneAt(
        translated(async () => {
          if (input.purpose === 'REGISTRATION') return resolved(input.serviceKey, await mobileOnFile(input));
          const given = input.phone || input.email;
          if (!given && !input.userId) {
            throw new BusinessError(
              'NO_REGISTERED_CONTACT',
              'The challenge names no destination and no user.',
            );
          }
          // A user-bound challenge needs a live user even when the destination is given (UPDATE_PHONE).
          const destinations: Destinations = given
            ? { phone: input.phone, email: input.email }
            : await registeredContacts(input.userId as string, input.purpose);
          if (given && input.userId) await liveUser(input.userId);
          return resolved(input.serviceKey, destinations);
        }),
      ),

    sendChallengeCode: (input: SendCodeInput): Promise<SentCode> =>
      translated(async () => {
        const destinations = openDestinations(input.serviceKey, input.sealedDestinations, input.skipDigests);
        // Every attempt of this send derives the same code and uses the same message id:
        // a retry re-delivers (the SMS gateway cannot de-duplicate it: the send never
        // overlaps its own retry), it never puts a second code in the customer's hands.
        const sendRef = `${runRef()}.otp.0`;
        const code = derivedOtp(serverKey, sendRef, input.codeLength);
        const deliveries = await deliver(
          destinations,
          { code, purpose: input.purpose, expiresAt: input.expiresAt },
          sendRef,
          input.accepted,
        );
        return {
          codeDigest: otpDigest(serverKey, input.serviceKey, code),
          sealedCode: seal(serverKey, input.serviceKey, code),
          deliveries,
        };
      }),

    /** The first send to one destination: a challenge is verifiable once any leg is out. */
    sendChallengeLeg: (input: SendLegInput): Promise<SentCode> =>
      translated(async () => {
        const all = openDestinations(input.serviceKey, input.sealedDestinations, input.skipDigests);
        const leg = input.channel === 'SMS' ? { phone: all.phone } : { email: all.email };
        // The same code and message id as the other legs and every retry (sendChallengeCode).
        const sendRef = `${runRef()}.otp.0`;
        const code = derivedOtp(serverKey, sendRef, input.codeLength);
        const deliveries = await deliver(
          leg,
          { code, purpose: input.purpose, expiresAt: input.expiresAt },
          sendRef,
        );
        return {
          codeDigest: otpDigest(serverKey, input.serviceKey, code),
          sealedCode: seal(serverKey, input.serviceKey, code),
          deliveries,
        };
      }),

    resendChallengeCode: (input: ResendCodeInput): Promise<{ deliveries: Delivery[] }> =>
      translated(async () => {
        const destinations = openDestinations(input.serviceKey, input.sealedDestinations, input.skipDigests);
        const code = unseal(serverKey, input.serviceKey, input.sealedCode);
        // The same code on every attempt, under the same message id. Kannel and Twilio do not
        // de-duplicate by it: a send never overlaps its own retry (regular activity, adapters
        // aborted with it), and an attempt resumes from the legs it heartbeated.
        const deliveries = await deliver(
          destinations,
          { code, purpose: input.purpose, expiresAt: input.expiresAt },
          `${runRef()}.otp.${input.sendNumber}`,
          input.accepted,
        );
        return { deliveries };
      }),

    consumePhoneProof: ({ serviceKey, customerId, consumerProcessId }: PhoneProofInput) =>
      translated(async () => {
        const customer = await deps.coreBanking.getCustomer(customerId, coreBankingContext());
        if (!customer.mobilePhone) throw mfaNotVerified('NO_PHONE_ON_FILE');
        // The proof must be of the number on file: the workflow never holds the number itself.
        await consume({ serviceKey, purpose: 'ONBOARDING', phone: customer.mobilePhone, consumerProcessId });
        return { phoneDigest: destinationDigest(serverKey, customer.mobilePhone) };
      }),

    async consumeMfaChallenge({
      serviceKey,
      userId,
      phone,
      purpose = 'UPDATE_PHONE',
      consumerProcessId,
    }: ConsumeMfaChallengeInput): Promise<void> {
      // The proof of a new number must name that number.
      if (purpose === 'UPDATE_PHONE' && !phone) throw mfaNotVerified('NO_PHONE');
      await consume({ serviceKey, userId, phone, purpose, consumerProcessId });
    },

    /** A registration's challenge state once its first code is out; its refusal otherwise. */
    awaitRegistrationCode: ({ serviceKey }: { serviceKey: string }) =>
      translated(() => awaitFirstCode(client(), serviceKey, 'The registration code was not sent.')),

    /** CHALLENGE_NOT_VERIFIED unless the challenge is verified (and then it is consumed, once). */
    async consumeRegistrationCode({
      serviceKey,
      consumerProcessId,
    }: {
      serviceKey: string;
      consumerProcessId: string;
    }) {
      const outcome = await consumeChallenge(
        client(),
        serviceKey,
        { purpose: 'REGISTRATION' },
        consumerProcessId,
      );
      if (outcome.consumed) return { consumed: true };
      throw ApplicationFailure.create({
        type: 'CHALLENGE_NOT_VERIFIED',
        message: 'The registration code has not been verified.',
        nonRetryable: true,
        details: [{ challengeStatus: outcome.status }],
      });
    },
  };
}

export type MfaProofActivities = ReturnType<typeof createMfaProofActivities>;

const DELIVERY_INCOMPLETE = 'DELIVERY_INCOMPLETE';

/**
 * A local attempt has no heartbeat to leave for the next one: its failure carries the legs
 * that accepted the message, and the regular attempt that follows gets them as `accepted`
 * (workflows/local-first.ts), so it sends only the rest.
 */
function withAccepted(e: unknown, accepted: Delivery[]): unknown {
  if (!Context.current().info.isLocal || accepted.length === 0) return e;
  return ApplicationFailure.create({
    type: DELIVERY_INCOMPLETE,
    message: `Delivery incomplete: ${e instanceof Error ? e.message : String(e)}`,
    details: [{ accepted } satisfies AcceptedLegs],
  });
}

/** What an attempt heartbeats: the legs that accepted the message so far. */
interface AcceptedLegs {
  accepted: Delivery[];
}

/** The legs an earlier attempt of this activity heartbeated as accepted. */
function acceptedEarlier(): Delivery[] {
  const details = Context.current().info.heartbeatDetails as Partial<AcceptedLegs> | undefined;
  return Array.isArray(details?.accepted) ? details.accepted : [];
}

/**
 * The challenge run: a reset run makes its own code and message ids (its sends are new
 * messages), while the retries of one run's send share theirs.
 */
function runRef(): string {
  const execution = Context.current().info.workflowExecution;
  return execution ? `${execution.workflowId}.${execution.runId}` : Context.current().info.activityId;
}

/** Whole minutes of validity left, as the message states it (1–10). */
function minutesUntil(expiresAt: string): number {
  return Math.min(10, Math.max(1, Math.ceil((Date.parse(expiresAt) - Date.now()) / 60_000)));
}
