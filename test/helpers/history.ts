import type { Payload, PayloadCodec } from '@temporalio/common';

/** Every Payload object anywhere in a fetched history (inputs, results, memos, failures, markers…). */
export function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object') return found;
  if (value instanceof Uint8Array) return found;
  const v = value as Record<string, unknown>;
  if (v.metadata && typeof v.metadata === 'object' && v.data instanceof Uint8Array) {
    found.push(v as Payload);
    return found;
  }
  for (const child of Object.values(v)) payloadsIn(child, found);
  return found;
}

const encodingOf = (p: Payload) => new TextDecoder().decode(p.metadata?.encoding ?? new Uint8Array());

export function encodings(history: unknown): string[] {
  return payloadsIn(history).map(encodingOf);
}

/** The history as text with every payload decoded: what an ops user with the codec would see. */
export async function decodedHistoryText(codec: PayloadCodec, history: unknown): Promise<string> {
  const decoded = await codec.decode(payloadsIn(history));
  const texts = decoded.map(
    (p) => `${encodingOf(p)} ${new TextDecoder().decode(p.data ?? new Uint8Array())}`,
  );
  return `${JSON.stringify(history)}\n${texts.join('\n')}`;
}
