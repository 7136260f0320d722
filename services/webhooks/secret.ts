import type { Keyring } from '../../security';
import { openString, seal, type SealedSecret } from '../../security';

/** Binds a sealed secret to its partner and subscription: copied onto another, it fails to open. */
const contextOf = (partnerId: string, webhookId: string) =>
  `webhook-secret:${partnerId}:${webhookId}`;

export const sealWebhookSecret = (
  keyring: Keyring,
  ids: { partnerId: string; webhookId: string },
  secret: string,
): SealedSecret => seal(keyring, secret, contextOf(ids.partnerId, ids.webhookId));

export const openWebhookSecret = (
  keyring: Keyring,
  ids: { partnerId: string; webhookId: string },
  sealed: SealedSecret,
): string => openString(keyring, sealed, contextOf(ids.partnerId, ids.webhookId));
