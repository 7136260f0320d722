import { randomBytes } from 'node:crypto';
import { createKeyring, type Keyring } from '../../security/keyring';

export const randomKey = (): string => randomBytes(32).toString('base64');

export const testKeyring = (id = 'test'): Keyring => createKeyring({ id, key: randomKey() });

/**
 * A fixed key for the recorded workflow histories under test/workflows/histories: they must stay
 * decodable by the replay test. It protects nothing; no real data is ever sealed with it.
 */
export const replayKeyring = (): Keyring =>
  createKeyring({
    id: 'replay',
    key: Buffer.alloc(32, 'cw-engine-replay-fixture-key-000').toString('base64'),
  });
