import { createHash } from 'node:crypto';
import type { WebhookDeliveryDoc } from '../models/webhook-delivery';

/**
 * Webhook events and their deliveries as db/repositories/webhook-deliveries.ts takes and gives
 * them: an event, its id, a delivery row and the document mapping of one.
 */

/** An event as its emitter gives it. */
export interface WebhookEvent {
  /** A WebhookDeliveryType (domain/webhooks/events.ts). */
  type: string;
  /**
   * What makes it this event and no other: the same key emitted again (a retried step) is the
   * same event, one row per subscription. Hashed into the event's id with the partner and type.
   */
  key: string;
  /** Ids and states only: never a secret. */
  data: Record<string, unknown>;
}

export type DeliveryState = 'pending' | 'delivered' | 'missed';

/** One event for one subscription, and where its delivery stands. */
export interface WebhookDelivery {
  partnerId: string;
  webhookId: string;
  eventId: string;
  type: string;
  createdAt: Date;
  data: Record<string, unknown>;
  state: DeliveryState;
  attempts: number;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  finishedAt: Date | null;
}

/** A row the dispatcher announces: whose workflow to wake. */
export interface DueDelivery {
  id: string;
  partnerId: string;
  webhookId: string;
  type: string;
}

export const eventIdOf = (partnerId: string, type: string, key: string): string =>
  `evt_${createHash('sha256').update(`${partnerId}\u0000${type}\u0000${key}`).digest('hex').slice(0, 32)}`;

export const toDelivery = (d: WebhookDeliveryDoc): WebhookDelivery => ({
  partnerId: d.partnerId,
  webhookId: d.webhookId,
  eventId: d.eventId,
  type: d.type,
  createdAt: d.createdAt,
  data: (d.data ?? {}) as Record<string, unknown>,
  state: d.state as DeliveryState,
  attempts: d.attempts ?? 0,
  lastAttemptAt: d.lastAttemptAt ?? null,
  lastStatus: d.lastStatus ?? null,
  lastError: d.lastError ?? null,
  finishedAt: d.finishedAt ?? null,
});
