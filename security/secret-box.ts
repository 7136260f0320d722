import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring';

/** How a secret is stored: AES-256-GCM, with the id of the key that sealed it. */
export interface SealedSecret {
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

const ALGORITHM = 'aes-256-gcm';

function keyFor(keyring: Keyring, kid: string): Buffer {
  const key = keyring.keys.get(kid);
  if (!key) throw new Error(`no encryption key with id ${kid} is configured`);
  return key;
}

/**
 * `context` is bound as additional authenticated data, so a ciphertext copied onto another
 * record (another partner's integration, say) fails to open.
 */
export function seal(keyring: Keyring, plaintext: Buffer | string, context = ''): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, keyFor(keyring, keyring.currentKeyId), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    kid: keyring.currentKeyId,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

export function open(keyring: Keyring, sealed: SealedSecret, context = ''): Buffer {
  const decipher = createDecipheriv(
    ALGORITHM,
    keyFor(keyring, sealed.kid),
    Buffer.from(sealed.iv, 'base64'),
  );
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
}

export const openString = (keyring: Keyring, sealed: SealedSecret, context = ''): string =>
  open(keyring, sealed, context).toString('utf8');

export const needsRotation = (keyring: Keyring, sealed: SealedSecret): boolean =>
  sealed.kid !== keyring.currentKeyId;
