import type { Config } from '../../config';
import { currentDisclosures } from '../../config/disclosures';
import { IDENTITY_FACTORS } from '../../messages/registration';
import { usernameProblem } from '../../rules/username';
import { disclosureVerdict } from '../../rules/disclosures';
import { ProblemError, problems } from '../http/problem';
import { assertPasswordPolicy } from '../http/password-policy';
import type { RegistrationRequest } from './schema';

/**
 * Every check that needs nothing but the request, before anything starts: the username
 * and password policies, and the disclosures (the same rule the workflow applies).
 */
export function refuseBadRequest(body: RegistrationRequest, config: Config): void {
  // The identity factors the bank requires (name and date of birth always): 400 naming them.
  const missing = config.REGISTRATION_IDENTITY_FACTORS.filter((f) =>
    IDENTITY_FACTORS[f].every((field) => body.identity[field] === undefined),
  );
  if (missing.length) {
    throw problems.validation(
      missing.map((f) => ({ path: `identity.${IDENTITY_FACTORS[f][0]}`, message: `required (${f})` })),
    );
  }
  const username = body.username.toLowerCase();
  const uProblem = usernameProblem(username, '');
  if (uProblem) {
    throw new ProblemError(422, 'USERNAME_POLICY', 'Username not allowed', `The username ${uProblem}.`, {
      field: 'username',
      reason: uProblem,
    });
  }
  assertPasswordPolicy(body.password, username);
  const verdict = disclosureVerdict(currentDisclosures(config), body.acceptedDisclosures);
  if (!verdict.accepted) {
    throw new ProblemError(
      422,
      verdict.code,
      'Required disclosures not accepted',
      verdict.message,
      verdict.extensions,
    );
  }
}
