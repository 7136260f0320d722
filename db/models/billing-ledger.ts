import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

export const LEDGER_STATES = ['active', 'left', 'kept_separate', 'pending_create'] as const;

/**
 * The engine's ledger of agreement additions (domain/billing/ledger.ts): one document per addition
 * it owns (`active`), released under `leave` (`left`), or that the partner said to bill beside
 * ours (`kept_separate`), `_id` (partnerId, integrationId, agreementId, additionId); and one per
 * create sent whose answer has not been seen (`pending_create`, `_id` … agreementId, sku,
 * `pending`), so a retry waits out the first POST before it creates again. Every entry names the
 * tenant it was written in (`tenantKey`): a run never writes what another tenant's ledger says.
 */
const billingLedgerSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    tenantKey: { type: String, required: true },
    agreementId: { type: Number, required: true },
    additionId: { type: Number, required: false },
    sku: { type: String, required: true },
    productId: { type: Number, required: false },
    customerId: { type: String, required: false },
    state: { type: String, enum: LEDGER_STATES, required: true },
    /** When a pending create was sent. */
    sentAt: { type: Date, required: false },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'billingLedger' },
);
// The run's whole ledger in its tenant, and one agreement's entries.
billingLedgerSchema.index({ partnerId: 1, integrationId: 1, tenantKey: 1, agreementId: 1 });

export type BillingLedgerDoc = InferSchemaType<typeof billingLedgerSchema>;
export type BillingLedgerModel = Model<BillingLedgerDoc>;

export function billingLedgerModel(conn: Connection): BillingLedgerModel {
  return modelOn<BillingLedgerDoc>(conn, 'BillingLedger', billingLedgerSchema);
}
