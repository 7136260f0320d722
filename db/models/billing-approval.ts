import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'applied', 'expired'] as const;

/**
 * One agreement's plan held for a person's decision (the safety valve, approval mode, or an
 * addition the engine does not own that looks like its product): at most one per agreement,
 * `_id` (partnerId, integrationId, agreementId). A newer plan replaces it under a new
 * `approvalId`, so deciding the older one is answered `superseded`. Decisions are conditional
 * single-document updates on (approvalId, planHash, status pending).
 */
const billingApprovalSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    tenantKey: { type: String, required: true },
    approvalId: { type: String, required: true },
    agreementId: { type: Number, required: true },
    customerId: { type: String, required: true },
    companyId: { type: Number, required: true },
    runKey: { type: String, required: true },
    planHash: { type: String, required: true },
    status: { type: String, enum: APPROVAL_STATUSES, required: true },
    /** Why it is held (one line per guard). */
    reasons: { type: [String], default: [] },
    body: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    decidedBy: { type: String, required: false },
    decidedAt: { type: Date, required: false },
    decisions: { type: [Schema.Types.Mixed], default: [] },
    /** The run writing the approved plan, and its writes (a retry of that run finishes them). */
    applying: { type: Schema.Types.Mixed, required: false },
  },
  { collection: 'billingApprovals', minimize: false },
);
// A change of tenant expires what is pending or approved, in any tenant.
billingApprovalSchema.index({ partnerId: 1, integrationId: 1, status: 1 });
// A run's live approvals, and the pending ones page by agreement (all, or one customer's).
billingApprovalSchema.index({
  partnerId: 1,
  integrationId: 1,
  tenantKey: 1,
  status: 1,
  agreementId: 1,
});
billingApprovalSchema.index({
  partnerId: 1,
  integrationId: 1,
  tenantKey: 1,
  status: 1,
  customerId: 1,
  agreementId: 1,
});

export type BillingApprovalDoc = InferSchemaType<typeof billingApprovalSchema>;
export type BillingApprovalModel = Model<BillingApprovalDoc>;

export function billingApprovalModel(conn: Connection): BillingApprovalModel {
  return modelOn<BillingApprovalDoc>(conn, 'BillingApproval', billingApprovalSchema);
}
