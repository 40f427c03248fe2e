import type { AcceptedDisclosure, DisclosureAcceptance, DisclosureRecord } from '../messages/disclosures';

export type DisclosureVerdict =
  | { accepted: true; disclosures: { id: string; version: number; sha256: string }[] }
  | {
      accepted: false;
      code: 'DISCLOSURES_NOT_ACCEPTED';
      message: string;
      extensions: {
        /** The codes, as before versions existed (existing callers read this). */
        required: string[];
        /** Each required disclosure at its current version. */
        current: AcceptedDisclosure[];
        missing: string[];
        /** Accepted at a version that is no longer current: the current one is named. */
        stale: { id: string; accepted: number; current: number }[];
      };
    };

/**
 * The one disclosures rule, pure so the API (before anything starts) and the workflows
 * (on their own input) decide alike: every current record must be accepted, at its
 * current version; a plain code accepts the current version.
 */
export function disclosureVerdict(
  current: readonly DisclosureRecord[],
  given: readonly DisclosureAcceptance[],
): DisclosureVerdict {
  const versions = new Map<string, number[]>();
  for (const g of given) {
    const { id, version } = typeof g === 'string' ? { id: g, version: undefined } : g;
    const record = current.find((r) => r.id === id);
    const list = versions.get(id) ?? [];
    list.push(version ?? record?.version ?? 0);
    versions.set(id, list);
  }
  const missing: string[] = [];
  const stale: { id: string; accepted: number; current: number }[] = [];
  for (const record of current) {
    const accepted = versions.get(record.id);
    if (!accepted) missing.push(record.id);
    else if (!accepted.includes(record.version)) {
      stale.push({ id: record.id, accepted: Math.max(...accepted), current: record.version });
    }
  }
  if (missing.length || stale.length) {
    return {
      accepted: false,
      code: 'DISCLOSURES_NOT_ACCEPTED',
      message: stale.length
        ? `A disclosure was accepted at a version that is not current: ${stale
            .map((s) => `${s.id} is at version ${s.current}`)
            .join(', ')}.`
        : 'The customer must accept every required disclosure.',
      extensions: {
        required: current.map((r) => r.id),
        current: current.map((r) => ({ id: r.id, version: r.version })),
        missing,
        stale,
      },
    };
  }
  return {
    accepted: true,
    disclosures: current.map((r) => ({ id: r.id, version: r.version, sha256: r.sha256 })),
  };
}
