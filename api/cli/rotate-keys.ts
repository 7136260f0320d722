/**
 * Re-encrypts stored ConnectWise private keys and webhook secrets under the current ENCRYPTION_KEY.
 *   1. Set ENCRYPTION_KEY/ENCRYPTION_KEY_ID to the new key, and list the old one in
 *      ENCRYPTION_PREVIOUS_KEYS=oldId:oldBase64 (API and worker too, then restart them).
 *   2. npm run rotate-keys
 *   3. When it reports nothing left under old keys, remove the old key from ENCRYPTION_PREVIOUS_KEYS.
 * Temporal histories written under the old key stay readable while it is listed there.
 */
import { loadConfigOrExit } from '../../config';
import { connectDatabase, createRepositories } from '../../db';
import { keyringFromConfig } from '../../security';
import { rotateStoredSecrets } from '../../services/key-rotation';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const db = await connectDatabase({ uri: config.MONGODB_URI });
  try {
    const result = await rotateStoredSecrets(
      await createRepositories(db),
      keyringFromConfig(config),
    );
    process.stdout.write(
      `checked ${result.checked} stored secrets; re-encrypted ${result.reencrypted} under key ${config.ENCRYPTION_KEY_ID}\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rotation failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
