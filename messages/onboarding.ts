/** The contract between the API and the OnboardIbUser workflow. */
export const ONBOARD_WORKFLOW = 'OnboardIbUser';

export const CHANNELS = ['MOBILE', 'BRANCH'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface OnboardIbUserInput {
  requestId: string;
  customerId: string;
  channel: Channel;
  /** When given, must equal the mobile number registered in core banking. */
  phone?: string;
  email?: string;
  preferredUsername?: string;
  acceptedDisclosures: string[];
  /** Maker-checker: how long a user pending authorisation is awaited. */
  authorisationTimeoutHours: number;
}

export type DeliveryStatus = 'SENT';

export interface OnboardIbUserResult {
  processId: string;
  status: 'COMPLETED';
  customerId: string;
  userId: string;
  username: string;
  credentialDelivery: { channel: 'SMS'; to: string; status: DeliveryStatus };
}

/** One onboarding per customer at a time: the workflow id is the customer's. */
export const onboardingProcessId = (customerId: string): string => `onboard-${customerId}`;
