import { hmacHex } from '../lib/server-key';
import { keyCheckLabel, type KeyCheckInput } from '../messages/key-check';

export function createKeyCheckActivities(deps: { serverKey: Buffer }) {
  return {
    /** HMAC of the check label under this worker's server key (the key itself never leaves). */
    async serverKeyFingerprint({ nonce }: KeyCheckInput): Promise<string> {
      return hmacHex(deps.serverKey, keyCheckLabel(nonce));
    },
  };
}

export type KeyCheckActivities = ReturnType<typeof createKeyCheckActivities>;
