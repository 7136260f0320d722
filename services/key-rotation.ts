import type { Repositories } from '../db';
import { needsRotation, type Keyring } from '../security';
import { openPrivateKey, sealPrivateKey } from './integration-client';
import { openWebhookSecret, sealWebhookSecret } from './webhooks/secret';

export interface RotationResult {
  checked: number;
  reencrypted: number;
}

/**
 * Re-seals every stored private key, and every webhook secret, under the current key. Run it after making a new key current
 * (ENCRYPTION_KEY/ENCRYPTION_KEY_ID) with the old one listed in ENCRYPTION_PREVIOUS_KEYS; once it
 * reports 0 left, the old key can be dropped. Each record is one atomic update, so a crash midway
 * leaves every record readable and a rerun finishes the job.
 */
export async function rotateStoredSecrets(
  repos: Repositories,
  keyring: Keyring,
): Promise<RotationResult> {
  const result: RotationResult = { checked: 0, reencrypted: 0 };
  for await (const integration of repos.integrations.withSecrets()) {
    result.checked += 1;
    if (!integration.privateKey || !needsRotation(keyring, integration.privateKey)) continue;
    const plain = openPrivateKey(keyring, integration.id, integration.privateKey);
    // Conditional on the key read, so a key saved meanwhile (new credentials) is not overwritten.
    const saved = await repos.integrations.update(
      integration.partnerId,
      integration.id,
      { privateKey: sealPrivateKey(keyring, integration.id, plain) },
      [],
      { privateKeyCt: integration.privateKey.ct },
    );
    if (saved) result.reencrypted += 1;
  }
  for await (const webhook of repos.webhooks.withSecrets()) {
    result.checked += 1;
    if (!needsRotation(keyring, webhook.secret)) continue;
    const ids = { partnerId: webhook.partnerId, webhookId: webhook.id };
    const plain = openWebhookSecret(keyring, ids, webhook.secret);
    const saved = await repos.webhooks.reseal(
      webhook.partnerId,
      webhook.id,
      sealWebhookSecret(keyring, ids, plain),
      webhook.secret.ct,
    );
    if (saved) result.reencrypted += 1;
  }
  return result;
}
