import { hmacHex } from '../lib/server-key';
import { keyCheckLabel, type KeyCheckInput } from '../messages/key-check';

export interface KeyCheckActivities {
  /** HMAC of the check label under this worker's server key (the key itself never leaves). */
  serverKeyFingerprint(input: KeyCheckInput): Promise<string>;
}

export function createKeyCheckActivities(deps: { serverKey: Buffer }): KeyCheckActivities {
  return {
    async serverKeyFingerprint({ nonce }) {
      return hmacHex(deps.serverKey, keyCheckLabel(nonce));
    },
  };
}
