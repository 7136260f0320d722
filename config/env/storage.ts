import { z } from 'zod';
import { base64Key } from './values';

/** The database and the keys that encrypt secrets at rest. Part of config/schema.ts. */

/** MongoDB (or FerretDB) and the encryption keys. */
export const storage = {
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017/cw_engine')
    .describe('MongoDB (or FerretDB) connection string, including the database name.'),
  ENCRYPTION_KEY: base64Key.describe(
    'AES-256 key (base64, 32 bytes) for secrets at rest and Temporal payloads.',
  ),
  ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only, at most 32')
    .default('k1')
    .describe('Id stored beside each ciphertext so keys can be rotated.'),
  ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .regex(
      /^([A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)*$/,
      'must be a comma list of id:base64key',
    )
    .optional()
    .describe('Older keys (`id:base64,id:base64`) that still decrypt during a key rotation.'),
};
