/**
 * Webhooks to the vendor's portal (issue 19): the events a partner may subscribe to, what each
 * delivery looks like, and the delivery schedule. Pure: the API validates against these lists,
 * the delivery workflow runs the schedule, db/ and services/ build and send the events.
 */

/** Every event a subscription may ask for. `ping` is not one: it is sent on request only. */
export const WEBHOOK_EVENT_TYPES = [
  'sync_run.completed',
  'billing.approval_pending',
  'billing.approval_decided',
  'health_issue.opened',
  'health_issue.resolved',
  'ticket.created',
  'ticket.closed',
  'ticket.closed_in_connectwise',
  'ticket.reopened',
  'ticket.deleted_in_connectwise',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A delivery's type: a subscribed event, or the test ping. */
export type WebhookDeliveryType = WebhookEventType | 'ping';

/** Where one event stands for one subscription. */
export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'missed'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/** The JSON body of a delivery (signed as sent). */
export interface WebhookPayload {
  /** The event's id: the same in every retry and for every subscription (`Webhook-Id`). */
  id: string;
  type: WebhookDeliveryType;
  /** ISO time the event happened in the engine. */
  createdAt: string;
  partnerId: string;
  data: Record<string, unknown>;
}

/** The signature header (Stripe's scheme): `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'DefensX-Signature';

/** How many subscriptions a partner may have. */
export const MAX_WEBHOOKS_PER_PARTNER = 10;

/**
 * How long an event is retried: a delivery still failing this long after the event is recorded
 * `missed` (with its last error), and the ones after it go on.
 */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The first wait after a failed delivery; each failure after doubles it, up to the maximum. */
export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 60 * 60 * 1000;

/** The wait before the next attempt, after a failure that followed a wait of `previousMs` (0: none). */
export const nextRetryMs = (previousMs: number): number =>
  previousMs <= 0 ? FIRST_RETRY_MS : Math.min(previousMs * 2, MAX_RETRY_MS);
