import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

/**
 * `unknown`: the write was sent and ConnectWise gave no answer that says whether it was done (a
 * network failure, a timeout, a 5xx): it may have been. A retry that writes it again makes it
 * `applied`; one that finds it done leaves this line naming it.
 */
export const BILLING_CHANGE_OUTCOMES = [
  'applied',
  'failed',
  'skipped',
  'conflict',
  'unknown',
] as const;

/**
 * The billing audit trail: one record per addition change a run applied or attempted (and per
 * line it skipped or found in conflict). `_id` is the natural key (partnerId, integrationId,
 * runKey, agreementId, sku, and the action with its addition), so a retried activity rewrites its
 * record instead of adding one.
 */
const billingChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    runKey: { type: String, required: true },
    trigger: { type: String, required: true },
    customerId: { type: String, required: true },
    agreementId: { type: Number, required: true },
    sku: { type: String, required: true },
    additionId: { type: Number, default: null },
    /** The planner's action: create, update, adopt, cancel, release, forget, conflict, skip. */
    action: { type: String, required: true },
    from: { type: Schema.Types.Mixed, default: null },
    to: { type: Schema.Types.Mixed, default: null },
    outcome: { type: String, enum: BILLING_CHANGE_OUTCOMES, required: true },
    message: { type: String, default: null },
    /** The date the write carried (a create's effectiveDate, a cancel's cancelledDate), yyyy-MM-dd. */
    date: { type: String, default: null },
    /** When it happened; records expire after BILLING_AUDIT_RETENTION_DAYS (db/ttl-index.ts). */
    at: { type: Date, required: true },
    /** at and _id, the order the trail is paged in (db/page.ts). */
    pageKey: { type: String, required: true },
  },
  { collection: 'billingChanges', minimize: false },
);
// Retention's prune (at < cutoff).
billingChangeSchema.index({ partnerId: 1, integrationId: 1, at: -1 });
// The trail newest first (GET …/billing/changes), and its filters: a run, a customer, a sku.
billingChangeSchema.index({ partnerId: 1, integrationId: 1, pageKey: -1 });
billingChangeSchema.index({ partnerId: 1, integrationId: 1, runKey: 1, pageKey: -1 });
billingChangeSchema.index({ partnerId: 1, integrationId: 1, customerId: 1, pageKey: -1 });
billingChangeSchema.index({ partnerId: 1, integrationId: 1, sku: 1, pageKey: -1 });

export type BillingChangeDoc = InferSchemaType<typeof billingChangeSchema>;
export type BillingChangeModel = Model<BillingChangeDoc>;

export function billingChangeModel(conn: Connection): BillingChangeModel {
  return modelOn<BillingChangeDoc>(conn, 'BillingChange', billingChangeSchema);
}
