import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * What ops filter runs by in Temporal's UI. Ids and statuses only: never phone
 * numbers, emails or names (docs/design.md, "Security rules"). Registered by `npm start`, the test
 * setup and docker-compose (docker/temporal/create-search-attributes.sh).
 */
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const ProcessType = defineSearchAttributeKey('ProcessType', SearchAttributeType.KEYWORD);
export const ProcessStep = defineSearchAttributeKey('ProcessStep', SearchAttributeType.KEYWORD);
export const Channel = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);
export const MfaPurpose = defineSearchAttributeKey('MfaPurpose', SearchAttributeType.KEYWORD);
/**
 * A digest of the idempotency key that started the run (clients/process-start.ts): a replay
 * finds its own run among an entity's many in one bounded lookup. Not the key itself.
 */
export const RequestKey = defineSearchAttributeKey('RequestKey', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [CustomerId, ProcessType, ProcessStep, Channel, MfaPurpose, RequestKey];

/** `--search-attribute Name=Keyword` arguments for the Temporal CLI dev server. */
export const devServerSearchAttributeArgs = (): string[] =>
  SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
