import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

/** Where a per-customer result comes from: the run's preparation (a skip) or a reconcile batch. */
export const BILLING_RESULT_SOURCES = ['prepare', 'reconcile'] as const;

/**
 * One billing run's result for one customer's agreement (`AgreementOutcome`, or a `SkippedAgreement`
 * of the prepared run), stored as given. `_id` is the natural key (partnerId, integrationId,
 * runKey, agreementId — the customer when a skip names no agreement), so a retried activity
 * replaces its document. Not strict: fields the outcome gains later are kept as they come.
 */
const billingResultSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    runKey: { type: String, required: true },
    source: { type: String, enum: BILLING_RESULT_SOURCES, required: true },
    /** '' when the run could not tell (an agreement missing from its snapshot). */
    customerId: { type: String, default: '' },
    agreementId: { type: Number, default: null },
    /** succeeded | partial | failed | skipped, or any outcome added later. */
    outcome: { type: String, required: true },
    reason: { type: String, default: null },
    counts: { type: Schema.Types.Mixed, default: () => ({}) },
    /** When it was recorded; results expire with the audit trail (BILLING_AUDIT_RETENTION_DAYS). */
    at: { type: Date, required: true },
  },
  { collection: 'billingResults', minimize: false, strict: false },
);
// A run's results, by customer and agreement (the sync-run detail).
billingResultSchema.index({
  partnerId: 1,
  integrationId: 1,
  runKey: 1,
  customerId: 1,
  agreementId: 1,
});
billingResultSchema.index({ partnerId: 1, integrationId: 1, at: 1 });

export type BillingResultDoc = InferSchemaType<typeof billingResultSchema>;
export type BillingResultModel = Model<BillingResultDoc>;

export function billingResultModel(conn: Connection): BillingResultModel {
  return modelOn<BillingResultDoc>(conn, 'BillingResult', billingResultSchema);
}
