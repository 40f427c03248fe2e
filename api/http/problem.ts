/**
 * RFC 9457 problem details. Every error the API returns is one of these, with a
 * stable machine `code` that clients switch on (titles and details may change).
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

export const PROBLEM_TYPE_BASE = 'https://ibmb.example/problems/';

export function problemBody(p: ProblemError, instance?: string, requestId?: string): ProblemBody {
  return {
    type: PROBLEM_TYPE_BASE + p.code.toLowerCase().replace(/_/g, '-'),
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    code: p.code,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...p.extensions,
  };
}

export const problems = {
  validation: (errors: FieldError[]) =>
    new ProblemError(
      400,
      'VALIDATION_FAILED',
      'Request validation failed',
      'One or more fields are invalid.',
      {
        errors,
      },
    ),
  malformedJson: () =>
    new ProblemError(400, 'MALFORMED_JSON', 'Malformed JSON', 'The request body is not valid JSON.'),
  tooLarge: (limit: string) =>
    new ProblemError(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', `The request body exceeds ${limit}.`),
  unsupportedMediaType: () =>
    new ProblemError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Unsupported media type',
      'Send the body as application/json.',
    ),
  unauthenticated: (detail: string) =>
    new ProblemError(
      401,
      'UNAUTHENTICATED',
      'Authentication required',
      detail,
      {},
      {
        'WWW-Authenticate': 'Bearer realm="ibmb", error="invalid_token"',
      },
    ),
  forbidden: (scopes: string[]) =>
    new ProblemError(
      403,
      'INSUFFICIENT_SCOPE',
      'Insufficient scope',
      `This operation needs scope ${scopes.join(' ')}.`,
      {
        requiredScopes: scopes,
      },
      { 'WWW-Authenticate': `Bearer realm="ibmb", error="insufficient_scope", scope="${scopes.join(' ')}"` },
    ),
  subjectMismatch: () =>
    new ProblemError(
      403,
      'SUBJECT_MISMATCH',
      'Not your user',
      'This token acts only for the user in its subject; acting for another user needs scope mfa:any-user.',
    ),
  notFound: (what: string) => new ProblemError(404, 'NOT_FOUND', 'Not found', `${what} was not found.`),
  methodNotAllowed: () => new ProblemError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed'),
  unavailable: (detail: string) =>
    new ProblemError(503, 'SERVICE_UNAVAILABLE', 'Service unavailable', detail, {}, { 'Retry-After': '5' }),
  /**
   * The namespace lacks search attributes a start writes: no start can succeed until ops
   * register them (the API logs the commands; the body names only the attributes).
   */
  searchAttributesMissing: (missing: string[]) =>
    new ProblemError(
      503,
      'SEARCH_ATTRIBUTES_MISSING',
      'Search attributes missing',
      `The Temporal namespace lacks the search attributes ${missing.join(', ')}: no process can start until they are registered (docs/operations.md). A request refused for this started nothing.`,
      { missing },
      { 'Retry-After': '30' },
    ),
  internal: () =>
    new ProblemError(
      500,
      'INTERNAL_ERROR',
      'Internal error',
      'An unexpected error occurred; quote the request id.',
    ),
};
