import { defineQuery } from '@temporalio/workflow';

/**
 * What every process (workflow) exposes to the API and to ops: its type, the step it
 * is at and an audit trail of steps. Shared by api/ and workflows/.
 */
export type ProcessType =
  | 'ONBOARD_IB_USER'
  | 'UPDATE_USER_PHONE'
  | 'UPDATE_CONTACT_INFO'
  | 'MFA_CHALLENGE'
  | 'MFA_DESTINATION_QUOTA'
  | 'SELF_REGISTRATION'
  | 'RESET_PASSWORD'
  | 'FIRST_TIME_PASSWORD_EXPIRY'
  | 'CHANGE_USER_STATUS'
  | 'UPDATE_SECURITY_QUESTIONS'
  | 'CREATE_SELF_SERVICE_USER'
  | 'UPDATE_SELF_SERVICE_USER';

export type StepStatus = 'STARTED' | 'COMPLETED' | 'FAILED' | 'WAITING' | 'COMPENSATED' | 'SKIPPED';

export interface AuditEntry {
  step: string;
  status: StepStatus;
  /** ISO-8601, workflow time. */
  at: string;
  /** Ids, codes and reasons only: never secrets or contact details. */
  detail?: string;
}

export interface ProcessState {
  processType: ProcessType;
  step: string;
  auditTrail: AuditEntry[];
}

export const processStateQuery = defineQuery<ProcessState>('processState');

/** Workflow ids the generic process endpoint will look up; anything else is 404. */
export const PROCESS_ID_PATTERN =
  /^(onboard|mfa|phone|contact|registration|reset|pwexpiry|status|secq|ssuser|ssupd)-[A-Za-z0-9._:-]{1,120}$/;
