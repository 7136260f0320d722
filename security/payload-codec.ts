import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './keyring';
import { open, seal } from './secret-box';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Encrypts every payload (workflow inputs, results, signals, queries, activity arguments) before it
 * reaches the Temporal server, so histories hold ciphertext only. Used by both the API's client and
 * the worker. The Temporal UI shows these payloads as encrypted.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const sealed = seal(this.keyring, Buffer.from(plain));
        return {
          metadata: {
            encoding: enc.encode(ENCRYPTED_ENCODING),
            [KEY_ID]: enc.encode(sealed.kid),
          },
          data: enc.encode(JSON.stringify({ iv: sealed.iv, tag: sealed.tag, ct: sealed.ct })),
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || dec.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
        const kidBytes = payload.metadata?.[KEY_ID];
        if (!kidBytes || !payload.data)
          throw new Error('encrypted payload lacks its key id or data');
        const parts = JSON.parse(dec.decode(payload.data)) as {
          iv: string;
          tag: string;
          ct: string;
        };
        const plain = open(this.keyring, { kid: dec.decode(kidBytes), ...parts });
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}
