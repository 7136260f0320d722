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
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed secret that cannot be opened: tampered, truncated, or sealed under another context. */
export class SecretOpenError extends Error {}

function keyFor(keyring: Keyring, kid: string): Buffer {
  const key = keyring.keys.get(kid);
  if (!key) throw new SecretOpenError(`no encryption key with id ${kid} is configured`);
  return key;
}

/**
 * `context` is bound as additional authenticated data, so a ciphertext copied onto another
 * record (another partner's integration, say) fails to open.
 */
export function seal(keyring: Keyring, plaintext: Buffer | string, context = ''): SealedSecret {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyFor(keyring, keyring.currentKeyId), iv, {
    authTagLength: TAG_BYTES,
  });
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
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  // Node accepts GCM tags as short as 4 bytes unless told otherwise: insist on the full 16.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretOpenError('sealed secret has a malformed IV or tag');
  }
  const decipher = createDecipheriv(ALGORITHM, keyFor(keyring, sealed.kid), iv, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  } catch {
    throw new SecretOpenError('sealed secret failed authentication');
  }
}

export const openString = (keyring: Keyring, sealed: SealedSecret, context = ''): string =>
  open(keyring, sealed, context).toString('utf8');

export const needsRotation = (keyring: Keyring, sealed: SealedSecret): boolean =>
  sealed.kid !== keyring.currentKeyId;
