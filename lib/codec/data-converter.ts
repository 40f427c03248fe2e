import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { keyringFromConfig } from './keyring';

type KeyConfig = Parameters<typeof keyringFromConfig>[0];

export function payloadCodec(config: KeyConfig): PayloadCodec {
  return new AesGcmCodec(keyringFromConfig(config));
}

/** The one data converter the API's client, the worker and the tests share. */
export function encryptingDataConverter(config: KeyConfig, codec = payloadCodec(config)): DataConverter {
  return { payloadCodecs: [codec] };
}
