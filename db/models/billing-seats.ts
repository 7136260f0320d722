import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

const seatLineSchema = new Schema(
  {
    /** The customer the ledger bills these seats for. */
    customerId: { type: String, required: true },
    sku: { type: String, required: true },
    seats: { type: Number, required: true },
  },
  { _id: false },
);

/**
 * What billing coverage knows of one agreement in one tenant (domain/billing/coverage.ts): the
 * seats ConnectWise bills on it for the engine as the latest run that read it left them (`lines`,
 * by customer and sku; absent until a run reads it), and the latest run's outcome for it (a skip
 * that did not read it changes only the outcome). `_id` is natural (partnerId, integrationId,
 * tenantKey, agreementId): each run replaces it, in one single-document write.
 */
const billingSeatsSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    tenantKey: { type: String, required: true },
    agreementId: { type: Number, required: true },
    /** The customer whose chosen agreement it was at the latest result; '' for releases only. */
    customerId: { type: String, default: '' },
    lines: { type: [seatLineSchema], default: undefined },
    /** When `lines` were read from ConnectWise. */
    readAt: { type: Date, default: null },
    runKey: { type: String, required: true },
    outcome: { type: String, required: true },
    reason: { type: String, default: null },
    problem: { type: String, default: null },
    planned: { type: Schema.Types.Mixed, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'billingSeats', minimize: false },
);
// Every agreement of the integration's tenant, in one read (GET …/billing/coverage).
billingSeatsSchema.index({ partnerId: 1, integrationId: 1, tenantKey: 1, agreementId: 1 });

export type BillingSeatsDoc = InferSchemaType<typeof billingSeatsSchema>;
export type BillingSeatsModel = Model<BillingSeatsDoc>;

export function billingSeatsModel(conn: Connection): BillingSeatsModel {
  return modelOn<BillingSeatsDoc>(conn, 'BillingSeats', billingSeatsSchema);
}

/**
 * The partner's unbilled seats and amount as its latest billing run left them: one document per
 * integration (`_id` its id), read whole by the API's metrics.
 */
const coverageTotalsSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    unbilled: { type: Number, required: true },
    unbilledAmount: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'coverageTotals' },
);

export type CoverageTotalsDoc = InferSchemaType<typeof coverageTotalsSchema>;
export type CoverageTotalsModel = Model<CoverageTotalsDoc>;

export function coverageTotalsModel(conn: Connection): CoverageTotalsModel {
  return modelOn<CoverageTotalsDoc>(conn, 'CoverageTotals', coverageTotalsSchema);
}
