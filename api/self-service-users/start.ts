import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import { assertPasswordPolicy } from '../http/password-policy';
import { sealSelfServicePassword, selfServicePasswordContext } from '../../lib/self-service-password';
import {
  CREATE_SELF_SERVICE_USER_WORKFLOW,
  selfServiceUserProcessId,
  selfServiceUserUpdateProcessId,
  UPDATE_SELF_SERVICE_USER_WORKFLOW,
  type CreateSelfServiceUserInput,
  type SelfServiceUserState,
  type UpdateSelfServiceUserInput,
} from '../../messages/self-service-users';
import { CustomerId, ProcessType } from '../../messages/search-attributes';
import { businessProblem } from '../http/business-status';
import { requestDigest } from '../http/idempotency';
import { ProblemError, problems } from '../http/problem';
import { startIdempotent, type StartedProcess } from '../../clients/process-start';
import type { Outcome } from '../../clients/process-outcome';
import { toProblem } from '../http/to-problem';
import type { StarterMemo } from '../processes/readers';
import type { CreateSelfServiceUserRequest, UpdateSelfServiceUserRequest } from './schema';

/** Self-service users' logins live in the identity provider: without one, every route is 501. */
export function requireIdentityProvider(config: Config): void {
  if (config.IDENTITY_PROVIDER !== 'keycloak')
    throw new ProblemError(
      501,
      'SELF_SERVICE_USERS_UNAVAILABLE',
      'Self-service users unavailable',
      "Self-service users' logins live in the identity provider: this service runs without one.",
    );
}

/** Everything the request alone decides, before anything starts: passwords and their delivery. */
export function refuseBadRequest(body: CreateSelfServiceUserRequest, config: Config): void {
  requireIdentityProvider(config);
  if (body.password === undefined) {
    if (body.repeatPassword !== undefined)
      throw problems.validation([{ path: 'repeatPassword', message: 'only together with password' }]);
    return;
  }
  if (body.sendPasswordToEmail)
    throw problems.validation([
      { path: 'sendPasswordToEmail', message: 'applies to a generated password: omit password, or this' },
    ]);
  if (body.repeatPassword !== body.password)
    throw new ProblemError(
      422,
      'PASSWORD_MISMATCH',
      'Passwords do not match',
      'password and repeatPassword differ.',
      { field: 'repeatPassword' },
    );
  assertPasswordPolicy(body.password, body.username);
}

/** Starts the creation (one per username at a time) or finds the run this request started. */
export function startSelfServiceUser(
  deps: { client: Client; config: Config; serverKey: Buffer },
  body: CreateSelfServiceUserRequest,
  requestId: string,
  starter: StarterMemo,
): Promise<StartedProcess> {
  const processId = selfServiceUserProcessId(body.username);
  const input: CreateSelfServiceUserInput = {
    requestId,
    username: body.username.toLowerCase(),
    firstname: body.firstname,
    lastname: body.lastname,
    email: body.email,
    officeId: body.officeId,
    roles: body.roles,
    clients: body.clients,
    // Sealed here: the workflow, its history and the codec's holders see a blob only.
    ...(body.password !== undefined && {
      sealedPassword: sealSelfServicePassword(
        deps.serverKey,
        selfServicePasswordContext(processId),
        body.password,
      ),
    }),
    delivery: body.sendPasswordToEmail ? 'EMAIL' : 'SMS',
    temporary: body.resetPasswordAfterFirstLogin,
  };
  return startIdempotent(deps.client, {
    workflowType: CREATE_SELF_SERVICE_USER_WORKFLOW,
    workflowId: processId,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [input],
    requestId,
    // Keyed (HMAC under the server key): the digest of a body with a password is no password.
    digest: requestDigest(deps.serverKey, { ...body, requestId: undefined }),
    starter,
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    searchAttributes: [
      { key: CustomerId, value: body.clients[0]! },
      { key: ProcessType, value: 'CREATE_SELF_SERVICE_USER' },
    ],
    staticSummary: `Create self-service user · business ${body.clients[0]}`,
    staticDetails: `Request ${requestId}. Steps: business and clients → core-banking user → login (password, clients, roles) → generated password to the user.`,
    inFlight: () =>
      businessProblem('UPDATE_IN_PROGRESS', 'A creation of this username is in flight.', { processId }),
    completed: () => businessProblem('USERNAME_TAKEN', 'A self-service user with this username exists.'),
  });
}

/** Starts the user's access change (one at a time per user) or replays this request's. */
export function startSelfServiceUserUpdate(
  deps: { client: Client; config: Config; serverKey: Buffer },
  userId: string,
  body: UpdateSelfServiceUserRequest,
  requestId: string,
  starter: StarterMemo,
): Promise<StartedProcess> {
  const processId = selfServiceUserUpdateProcessId(userId);
  const input: UpdateSelfServiceUserInput = {
    requestId,
    userId,
    ...(body.roles && { roles: body.roles }),
    ...(body.clients && { clients: body.clients }),
  };
  return startIdempotent(deps.client, {
    workflowType: UPDATE_SELF_SERVICE_USER_WORKFLOW,
    workflowId: processId,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [input],
    requestId,
    digest: requestDigest(deps.serverKey, { ...body, requestId: undefined, userId }),
    starter,
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    searchAttributes: [{ key: ProcessType, value: 'UPDATE_SELF_SERVICE_USER' }],
    staticSummary: `Update self-service user · user ${userId}`,
    staticDetails: `Request ${requestId}. Steps: look up → clients checked → core banking's linked customers → login's clients and roles.`,
    inFlight: () =>
      businessProblem('UPDATE_IN_PROGRESS', "A change of this user's access is in flight.", { processId }),
  });
}

/** A self-service user read's answer: the user, its refusal, or 503 past the read's budget. */
export function selfServiceUserRead(outcome: Outcome<SelfServiceUserState>): SelfServiceUserState {
  if (outcome.kind === 'completed') return outcome.result;
  if (outcome.kind === 'failed') {
    // The read's own run id means nothing to the caller.
    const problem = toProblem(outcome.refusal);
    const { processId: _read, ...extensions } = problem.extensions;
    throw new ProblemError(problem.status, problem.code, problem.title, problem.detail, extensions);
  }
  throw problems.unavailable('Core banking or the identity provider did not answer in time.');
}
