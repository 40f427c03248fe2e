import { randomInt } from 'node:crypto';
import { usernameProblem } from '../rules/username';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no look-alikes (l/1, o/0)

/** A fresh policy-compliant username from a CSPRNG: "ib" + 8 characters. */
export function generateUsername(): string {
  let s = 'ib';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Candidates in order: the preferred one when valid, then generated ones. */
export function* usernameCandidates(customerId: string, preferred?: string): Generator<string> {
  if (preferred && usernameProblem(preferred, customerId) === null) yield preferred.toLowerCase();
  for (;;) {
    const u = generateUsername();
    if (usernameProblem(u, customerId) === null) yield u;
  }
}
