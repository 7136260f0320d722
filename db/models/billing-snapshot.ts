import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

export const SNAPSHOT_PARTS = ['run', 'agreement', 'batch', 'plan'] as const;
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number];

/**
 * What a billing run froze at its start, so a push in the middle of a run cannot mix two states:
 * one `run` document (the billing day, policy, catalog items per sku, the prepared batches) and
 * one `agreement` document per agreement (its customer, usage and addition links), and a `plan`
 * document per agreement planned for approval or preview. Runs prepared since batch documents
 * keep their agreements as one `batch` document per prepared batch instead (one read a batch). `_id` is the
 * natural key (db/natural-id.ts: partnerId, integrationId, runKey[, agreementId]), so every read
 * and write filters on `_id` alone. `body` is written and read by the repository only.
 */
const billingSnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    runKey: { type: String, required: true },
    part: { type: String, enum: SNAPSHOT_PARTS, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    /** Expiry (a TTL index where the server has them; db/ttl-index.ts). */
    createdAt: { type: Date, required: true },
  },
  { collection: 'billingSnapshots', minimize: false },
);
billingSnapshotSchema.index({ partnerId: 1, integrationId: 1, createdAt: 1 });

export type BillingSnapshotDoc = InferSchemaType<typeof billingSnapshotSchema>;
export type BillingSnapshotModel = Model<BillingSnapshotDoc>;

export function billingSnapshotModel(conn: Connection): BillingSnapshotModel {
  return modelOn<BillingSnapshotDoc>(conn, 'BillingSnapshot', billingSnapshotSchema);
}
