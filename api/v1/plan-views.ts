import { z } from 'zod';
import type { BillingApproval } from '../../db';
import { operationsView, PLAN_ACTIONS } from '../../domain/billing/preview';
import { errorBody } from './schemas';

const values = z.object({
  quantity: z.number(),
  unitPrice: z.number().optional(),
  unitCost: z.number().optional(),
});

const operationView = z.object({
  action: z.enum(PLAN_ACTIONS),
  sku: z.string(),
  additionId: z.number().nullable(),
  productId: z.number().nullable(),
  from: values.nullable(),
  to: values.nullable(),
  effectiveDate: z.string().nullable(),
  /** A create: whether ConnectWise will prorate it for the current, already invoiced, period. */
  prorated: z.boolean().nullable(),
  reason: z.string().nullable(),
});

/** A billing plan as a partner reads it (domain/billing/preview.ts planView). */
export const planViewSchema = z.object({
  previewKey: z.string(),
  today: z.string(),
  planHash: z.string(),
  agreements: z.array(
    z.object({
      customerId: z.string(),
      agreementId: z.number(),
      companyId: z.number(),
      seats: z.object({ before: z.number(), after: z.number() }),
      hold: z.string().nullable(),
      operations: z.array(operationView),
    }),
  ),
  unchanged: z.number(),
  skipped: z.array(
    z.object({ customerId: z.string(), agreementId: z.number().nullable(), reason: z.string() }),
  ),
  totals: z.object({
    agreements: z.number(),
    create: z.number(),
    update: z.number(),
    adopt: z.number(),
    cancel: z.number(),
    release: z.number(),
    forget: z.number(),
    left: z.number(),
    candidate: z.number(),
    conflict: z.number(),
    skip: z.number(),
    held: z.number(),
    seatsBefore: z.number(),
    seatsAfter: z.number(),
  }),
  warnings: z.array(z.string()),
});

/** 409 `plan_changed`: the error, with the plan as it is now. */
export const planChangedBody = z.object({
  error: errorBody.shape.error.extend({ plan: planViewSchema.optional() }),
});

/** One agreement's held plan (db/repositories/billing-approvals.ts), as a partner decides on it. */
export const approvalView = z.object({
  approvalId: z.string(),
  planHash: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'applied', 'expired']),
  agreementId: z.number(),
  customerId: z.string(),
  companyId: z.number(),
  runKey: z.string(),
  reasons: z.array(z.string()),
  seats: z.object({ before: z.number(), after: z.number() }),
  operations: z.array(operationView),
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  candidates: z.array(
    z.object({ additionId: z.number(), decision: z.enum(['adopt', 'keep_separate', 'cancel']) }),
  ),
});

export const approvalViewOf = (a: BillingApproval): z.infer<typeof approvalView> => ({
  approvalId: a.approvalId,
  planHash: a.planHash,
  status: a.status,
  agreementId: a.agreementId,
  customerId: a.customerId,
  companyId: a.companyId,
  runKey: a.runKey,
  reasons: a.reasons,
  seats: a.seats,
  // Dates are decided when the write happens: shown as of the day the plan was made.
  operations: operationsView(a.operations, a.createdAt.toISOString().slice(0, 10)),
  createdAt: a.createdAt.toISOString(),
  expiresAt: a.expiresAt.toISOString(),
  decidedBy: a.decidedBy ?? null,
  decidedAt: a.decidedAt?.toISOString() ?? null,
  candidates: a.decisions,
});
