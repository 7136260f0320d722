import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, type Keyring } from '../security';

/**
 * The same converter on every client and worker: payloads are encrypted, and so are failure
 * messages and stack traces, so Temporal histories hold no plain text.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export function createDataConverter(keyring: Keyring): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keyring)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
