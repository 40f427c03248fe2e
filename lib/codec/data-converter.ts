import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { keyringFromConfig } from './keyring';

type KeyConfig = Parameters<typeof keyringFromConfig>[0];

/** The failure converter (encrypted messages and stack traces); bundles take it by this path. */
export const failureConverterPath = require.resolve('./failure-converter');

export function payloadCodec(config: KeyConfig): PayloadCodec {
  return new AesGcmCodec(keyringFromConfig(config));
}

/** The one data converter the API's client, the worker and the tests share. */
export function encryptingDataConverter(config: KeyConfig, codec = payloadCodec(config)): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
