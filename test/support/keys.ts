import { randomBytes } from 'node:crypto';
import { createKeyring, type Keyring } from '../../security/keyring';

export const randomKey = (): string => randomBytes(32).toString('base64');

export const testKeyring = (id = 'test'): Keyring => createKeyring({ id, key: randomKey() });
