import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * One event for one subscription: the outbox its delivery workflow reads, oldest first, and the
 * delivery log the API pages, newest first. `_id` is natural (subscription, event id), so an event
 * emitted again (a retried step) is one row. Rows are ordered by `pageKey`, the event's time and
 * id: no sequence counter (FerretDB loses concurrent `$inc`s on one document).
 */
const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    webhookId: { type: String, required: true },
    eventId: { type: String, required: true },
    /** A WebhookDeliveryType. */
    type: { type: String, required: true },
    createdAt: { type: Date, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    /** pending | delivered | missed */
    state: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    lastAttemptAt: { type: Date, default: null },
    /** The receiver's HTTP status at the last attempt; null when it did not answer. */
    lastStatus: { type: Number, default: null },
    lastError: { type: String, default: null },
    /** When it was delivered, or recorded missed. */
    finishedAt: { type: Date, default: null },
    /**
     * `due` until the dispatcher has woken the subscription's workflow for it
     * (services/webhooks/dispatcher.ts), then null.
     */
    announce: { type: String, default: null },
    /** createdAt and eventId: the order of delivery and of the log (db/page.ts). */
    pageKey: { type: String, required: true },
  },
  { collection: 'webhookDeliveries', minimize: false },
);
// The log newest first, all or by state; the oldest pending row; pruning by state and age.
webhookDeliverySchema.index({ partnerId: 1, webhookId: 1, pageKey: -1 });
webhookDeliverySchema.index({ partnerId: 1, webhookId: 1, state: 1, pageKey: -1 });
// Every partner's rows the dispatcher has not announced yet, oldest first.
webhookDeliverySchema.index({ announce: 1, pageKey: 1 });
// Pending rows older than the backstop's cutoff, every partner's.
webhookDeliverySchema.index({ state: 1, pageKey: 1 });

export type WebhookDeliveryDoc = InferSchemaType<typeof webhookDeliverySchema>;
export type WebhookDeliveryModel = Model<WebhookDeliveryDoc>;

export function webhookDeliveryModel(conn: Connection): WebhookDeliveryModel {
  return modelOn<WebhookDeliveryDoc>(conn, 'WebhookDelivery', webhookDeliverySchema);
}
