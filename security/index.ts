import type { Config } from '../config';
import { createKeyring, parseKeyList, type Keyring } from './keyring';

export type { Keyring } from './keyring';
export {
  seal,
  open,
  openString,
  needsRotation,
  SecretOpenError,
  type SealedSecret,
} from './secret-box';
export { EncryptionCodec } from './payload-codec';

export function keyringFromConfig(
  config: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEY_ID' | 'ENCRYPTION_PREVIOUS_KEYS'>,
): Keyring {
  return createKeyring(
    { id: config.ENCRYPTION_KEY_ID, key: config.ENCRYPTION_KEY },
    parseKeyList(config.ENCRYPTION_PREVIOUS_KEYS),
  );
}
