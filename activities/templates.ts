import type { MfaPurpose } from '../messages/mfa';

/** Customer-facing message texts. They carry what the customer needs and nothing else. */
export const templates = {
  // No username: whoever reads this SMS (a shared or stolen phone) must not hold both credentials.
  // The customer gets the username from the channel (the username webhook).
  firstTimePasswordSms: (p: { bankName: string; password: string }) =>
    `${p.bankName}: your internet & mobile banking first-time password is ${p.password}. ` +
    'You will be asked to change it at first login. We will never ask you for it.',
  firstTimePasswordEmail: (p: { bankName: string; password: string }) => ({
    subject: `${p.bankName}: your internet & mobile banking first-time password`,
    text:
      `Your internet & mobile banking first-time password is ${p.password}\n\n` +
      'You will be asked to change it at first login. It expires if unused. ' +
      `${p.bankName} will never ask you for it.`,
  }),
  // The last line, `@host #code`, lets the bank's site (WebOTP) or app (SMS Retriever
  // with the app hash as host line) read the code without the customer typing it, and
  // only on that origin: a phishing site gets nothing offered.
  otpSms: (p: OtpMessage & { webOtpHost?: string }) =>
    `${p.bankName}: ${p.code} is your verification code for ${OTP_PURPOSE_TEXT[p.purpose]}. ` +
    `It expires in ${minutes(p.minutesValid)}. Never share it.` +
    (p.webOtpHost ? `\n\n@${p.webOtpHost} #${p.code}` : ''),
  otpEmail: (p: OtpMessage) => ({
    subject: `${p.bankName}: your verification code`,
    text:
      `${p.code} is your verification code for ${OTP_PURPOSE_TEXT[p.purpose]}. ` +
      `It expires in ${minutes(p.minutesValid)}.\n\n` +
      `Never share it: ${p.bankName} will never ask you for it. If you did not ask for a code, ignore this message.`,
  }),
};

export interface OtpMessage {
  bankName: string;
  code: string;
  purpose: MfaPurpose;
  minutesValid: number;
}

const OTP_PURPOSE_TEXT: Record<MfaPurpose, string> = {
  ONBOARDING: 'registering for internet & mobile banking',
  LOGIN: 'signing in',
  UPDATE_PHONE: 'changing your phone number',
  UPDATE_SECURITY_QUESTIONS: 'changing your security questions',
  STEP_UP: 'confirming a security change to your account',
  REGISTRATION: 'registering for internet & mobile banking',
  RESET_PASSWORD: 'resetting your internet & mobile banking password',
};

const minutes = (n: number) => (n === 1 ? '1 minute' : `${n} minutes`);
