import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const sealedSchema = new Schema(
  {
    kid: { type: String, required: true },
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    ct: { type: String, required: true },
  },
  { _id: false },
);

/**
 * A partner's webhook subscription (issue 19): where the portal wants events, which ones, and the
 * signing secret, sealed (security/secret-box.ts, bound to the partner and the subscription).
 * `_id` is natural, the partner and one of its MAX_WEBHOOKS_PER_PARTNER positions: an insert
 * takes a free position, so two requests racing can never pass the limit (a unique `_id`, no
 * counter). `webhookId` is the id the API shows.
 */
const webhookSchema = new Schema(
  {
    _id: { type: String, required: true },
    webhookId: { type: String, required: true },
    partnerId: { type: String, required: true },
    position: { type: Number, required: true },
    url: { type: String, required: true },
    /** WebhookEventType values (domain/webhooks/events.ts). */
    events: { type: [String], required: true },
    description: { type: String, default: null },
    secret: { type: sealedSchema, required: true },
    createdAt: { type: Date, required: true },
    /** The API token's name that made it. */
    createdBy: { type: String, default: null },
  },
  { collection: 'webhooks', minimize: false },
);
webhookSchema.index({ webhookId: 1 }, { unique: true });
// The partner's subscriptions (at most MAX_WEBHOOKS_PER_PARTNER): the list, the positions taken,
// and those wanting an emitted event's type (filtered in memory: see WebhookRepository.wanting).
webhookSchema.index({ partnerId: 1, position: 1 });

export type WebhookDoc = InferSchemaType<typeof webhookSchema>;
export type WebhookModel = Model<WebhookDoc>;

export function webhookModel(conn: Connection): WebhookModel {
  return modelOn<WebhookDoc>(conn, 'Webhook', webhookSchema);
}
