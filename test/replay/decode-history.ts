import type { PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { payloadsIn } from '../helpers/history';

/**
 * Recorded histories are stored decoded: the dev payload key of the recording machine is
 * not the replaying machine's, and the codec plays no part in determinism.
 */
export async function decodeHistoryInPlace(
  history: temporal.api.history.v1.IHistory,
  codec: PayloadCodec,
): Promise<void> {
  const payloads = payloadsIn(history);
  const decoded = await codec.decode(payloads);
  payloads.forEach((p, i) => {
    const d = decoded[i];
    if (d) Object.assign(p, { metadata: d.metadata, data: d.data });
  });
}
