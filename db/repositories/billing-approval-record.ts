import type { SeatChange } from '../../domain/billing/safety';
import type { CandidateDecision, PlannedOperation } from '../../domain/billing/types';
import type { APPROVAL_STATUSES } from '../models/billing-approval';

/**
 * A held plan as db/repositories/billing-approvals.ts gives it, and as db/webhook-events.ts
 * tells it: its own module, so the two need not import each other.
 */

export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface CandidateChoice {
  additionId: number;
  decision: CandidateDecision;
}

/** One agreement's held plan and what became of it. */
export interface BillingApproval {
  approvalId: string;
  partnerId: string;
  integrationId: string;
  tenantKey: string;
  agreementId: number;
  customerId: string;
  companyId: number;
  /** The run that planned it. */
  runKey: string;
  /** agreementPlanHash of the operations: what a decision must name. */
  planHash: string;
  status: ApprovalStatus;
  reasons: string[];
  operations: PlannedOperation[];
  seats: SeatChange;
  createdAt: Date;
  expiresAt: Date;
  decidedBy?: string;
  decidedAt?: Date;
  /** The partner's answer for each candidate addition, with an approval. */
  decisions: CandidateChoice[];
  /** The run writing the approved plan, and the writes it planned (a retry finishes them). */
  applying?: { runKey: string; operations: PlannedOperation[] };
}

export type NewApproval = Omit<
  BillingApproval,
  'status' | 'decidedBy' | 'decidedAt' | 'decisions' | 'applying'
>;
