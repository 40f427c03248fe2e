import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import { passwordProblems, PASSWORD_PROBLEM_TEXT } from '../../lib/password-policy';
import { sealSelfServicePassword, selfServicePasswordContext } from '../../lib/self-service-password';
import {
  CREATE_SELF_SERVICE_USER_WORKFLOW,
  selfServiceUserProcessId,
  type CreateSelfServiceUserInput,
} from '../../messages/self-service-users';
import { CustomerId, ProcessType } from '../../messages/search-attributes';
import { businessProblem } from '../http/business-status';
import { requestDigest } from '../http/idempotency';
import { ProblemError, problems } from '../http/problem';
import { startIdempotent, type StartedProcess } from '../processes/idempotent-start';
import type { StarterMemo } from '../processes/readers';
import type { CreateSelfServiceUserRequest } from './schema';

/** Everything the request alone decides, before anything starts: passwords and their delivery. */
export function refuseBadRequest(body: CreateSelfServiceUserRequest, config: Config): void {
  if (config.IDENTITY_PROVIDER !== 'keycloak')
    throw new ProblemError(
      501,
      'SELF_SERVICE_USERS_UNAVAILABLE',
      'Self-service users unavailable',
      "Self-service users' logins live in the identity provider: this service runs without one.",
    );
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
  const pProblems = passwordProblems(body.password, body.username);
  if (pProblems.length)
    throw new ProblemError(
      422,
      'PASSWORD_POLICY',
      'Password not allowed',
      `The password ${pProblems.map((p) => PASSWORD_PROBLEM_TEXT[p]).join('; ')}.`,
      { field: 'password', reasons: pProblems },
    );
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
