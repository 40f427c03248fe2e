import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * Every Payload object anywhere in a fetched history (inputs, results, memos, failures,
 * summaries…), except patch markers and search attributes: those are indexed by the server, so they stay
 * plain and must only ever hold ids and statuses (see searchAttributeValues).
 */
export function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object') return found;
  if (value instanceof Uint8Array) return found;
  const v = value as Record<string, unknown>;
  if (typeof v.markerName === 'string' && v.details && typeof v.details === 'object') {
    // The SDK's own marker bookkeeping never goes through the data converter (see coreMarkerData).
    const own = SDK_MARKER_DATA[v.markerName];
    for (const [key, child] of Object.entries(v.details)) if (key !== own) payloadsIn(child, found);
    // A failed local activity's failure sits beside the details, encoded like any other.
    for (const [key, child] of Object.entries(v)) if (key !== 'details') payloadsIn(child, found);
    return found;
  }
  if (v.metadata && typeof v.metadata === 'object' && v.data instanceof Uint8Array) {
    found.push(v as Payload);
    return found;
  }
  for (const [key, child] of Object.entries(v)) if (key !== 'searchAttributes') payloadsIn(child, found);
  return found;
}

/** The plain values of every search attribute set or upserted in a history. */
export function searchAttributeValues(value: unknown, found: string[] = []): string[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'searchAttributes' && child && typeof child === 'object') {
      const fields = (child as { indexedFields?: Record<string, Payload> }).indexedFields ?? {};
      for (const [name, p] of Object.entries(fields))
        found.push(`${name}=${new TextDecoder().decode(p.data ?? new Uint8Array())}`);
    } else searchAttributeValues(child, found);
  }
  return found;
}

/**
 * Details the SDK core writes itself, as plain JSON, never through the data converter: a
 * patch marker's patch id, a local activity's bookkeeping (its id, type, attempt, time; its
 * result is a payload like any other). Like search attributes they hold no business data,
 * which coreMarkerData lets tests check.
 */
const SDK_MARKER_DATA: Record<string, string> = { core_patch: 'patch-data', core_local_activity: 'data' };

/** The SDK's own marker details of a history, decoded: `{marker, ...fields}` each. */
export function coreMarkerData(history: {
  events?:
    { markerRecordedEventAttributes?: { markerName?: string | null; details?: unknown } | null }[] | null;
}): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const e of history.events ?? []) {
    const m = e.markerRecordedEventAttributes;
    const key = m?.markerName ? SDK_MARKER_DATA[m.markerName] : undefined;
    if (!m || !key) continue;
    const field = (m.details as Record<string, { payloads?: Payload[] }> | undefined)?.[key];
    for (const p of field?.payloads ?? []) {
      const data = JSON.parse(new TextDecoder().decode(p.data ?? new Uint8Array())) as Record<
        string,
        unknown
      >;
      out.push({ marker: m.markerName, ...data });
    }
  }
  return out;
}

const encodingOf = (p: Payload) => new TextDecoder().decode(p.metadata?.encoding ?? new Uint8Array());

export function encodings(history: unknown): string[] {
  return payloadsIn(history).map(encodingOf);
}

/** The history as text with every payload decoded: what an ops user with the codec would see. */
export async function decodedHistoryText(codec: PayloadCodec, history: unknown): Promise<string> {
  const decoded = await codec.decode(payloadsIn(history));
  const texts = decoded.map(
    // Buffer.from: payload bytes may come from another realm (jest's), which TextDecoder refuses.
    (p) => `${encodingOf(p)} ${Buffer.from(p.data ?? new Uint8Array()).toString('utf8')}`,
  );
  return `${JSON.stringify(history)}\n${texts.join('\n')}`;
}
