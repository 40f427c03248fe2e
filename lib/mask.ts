/**
 * PII masking for logs, responses and audit trails: enough to recognise a contact
 * ("+2547•••••678"), never enough to use it.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length <= 6) return '•'.repeat(digits.length);
  const head = digits.startsWith('+') ? 4 : 3;
  return digits.slice(0, head) + '•'.repeat(digits.length - head - 3) + digits.slice(-3);
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return `${local[0]}${'•'.repeat(Math.max(local.length - 1, 2))}@${domain}`;
}

const PHONE_IN_TEXT = /\+?\d[\d\s-]{7,}\d/g;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Masks phone numbers and emails wherever they appear inside free text. */
export function maskText(text: string): string {
  return text.replace(EMAIL_IN_TEXT, maskEmail).replace(PHONE_IN_TEXT, (m) => maskPhone(m));
}

/**
 * Keys whose values are secrets or identity data: never logged, whatever they hold (the
 * registration's identity factors and postal address, the IdP's client secrets).
 */
const SECRET_KEYS =
  /^(otp|password|pass|pwd|secret|securitykey|token|authorization|apikey|api_key|candidate|body|client_?secret|socialsecuritynumber|ssn|nationalid(last4)?|dateofbirth|dob|mothersmaidenname|street|line[12]|address[12]?)$/i;

/** Deep copy of a log object with secrets removed and PII masked. */
export function maskPii(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map((v) => maskPii(v, depth + 1));
  // By tag too: errors from the workflow sandbox (another realm) fail instanceof. (Also used
  // by workflow code, so no node:util.)
  if (value instanceof Error || Object.prototype.toString.call(value) === '[object Error]')
    return maskError(value as Error, depth);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k) && v !== undefined ? '[redacted]' : maskPii(v, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * An error as a plain log object, its text masked: messages are not only ours (an ESB
 * refusal carries the core-banking system's own words, which may name the customer),
 * and the SDK logs failed activities and workflows with their whole cause chain.
 */
function maskError(err: Error, depth: number): Record<string, unknown> {
  // No prototype: pino's err serializer then reports `type` from `name`, not "Object".
  const out = Object.assign(Object.create(null) as Record<string, unknown>, {
    name: err.name,
    message: maskText(err.message),
  });
  if (err.stack) out.stack = maskText(err.stack);
  for (const [k, v] of Object.entries(err)) {
    // A TemporalFailure's `failure` is the proto form of its message and cause: logged below, masked.
    if (k === 'failure') continue;
    out[k] = SECRET_KEYS.test(k) && v !== undefined ? '[redacted]' : maskPii(v, depth + 1);
  }
  if (err.cause !== undefined && out.cause === undefined) out.cause = maskPii(err.cause, depth + 1);
  return out;
}
