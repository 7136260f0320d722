import { z } from 'zod';
import type { BillingChange } from '../../db';
import type { BillingResult } from '../../db/repositories/billing-results';
import type { SyncRunRecord } from '../../db/repositories/sync-runs';
import { BILLING_CHANGE_OUTCOMES } from '../../db/models/billing-change';
import { BILLING_RESULT_SOURCES } from '../../db/models/billing-result';
import { SYNC_TRIGGERS } from '../../db/models/sync-run';

/** The sync history's answers (api/v1/sync-run-routes.ts, api/v1/billing-change-routes.ts). */

/** A sync run as the API shows it (`syncRunView`): no internal keys. */
export const toSyncRunView = (run: SyncRunRecord) => ({
  id: run.id,
  kind: run.kind,
  trigger: run.trigger,
  outcome: run.outcome,
  summary: run.summary ?? null,
  startedAt: run.startedAt,
  endedAt: run.endedAt ?? null,
  workflowId: run.workflowId,
  runId: run.runId,
  counts: (run.counts as Record<string, unknown> | undefined) ?? null,
  changes: run.changes ?? [],
});

export const billingResultView = z.object({
  customerId: z.string(),
  /** null when a skip names no agreement (e.g. the customer has none chosen). */
  agreementId: z.number().nullable(),
  outcome: z.string().describe('succeeded, partial, failed, skipped…'),
  reason: z.string().nullable(),
  /** Operations per planner action (create, update, adopt, cancel, conflict, skip, noop, failed). */
  counts: z.record(z.string(), z.number()),
  source: z
    .enum(BILLING_RESULT_SOURCES)
    .describe('prepare: skipped before planning; reconcile: planned and applied'),
});

export const toBillingResultView = (r: BillingResult): z.infer<typeof billingResultView> => ({
  customerId: r.customerId,
  agreementId: r.agreementId,
  outcome: r.outcome,
  reason: r.reason,
  counts: r.counts,
  source: r.source,
});

const additionValues = z
  .object({
    quantity: z.number(),
    unitPrice: z.number().optional(),
    unitCost: z.number().optional(),
  })
  .nullable();

export const billingChangeView = z.object({
  runWorkflowId: z.string().describe("The run's workflow id (its sync run's workflowId)"),
  trigger: z.enum(SYNC_TRIGGERS),
  customerId: z.string(),
  agreementId: z.number(),
  sku: z.string(),
  additionId: z.number().nullable(),
  action: z.string().describe('create, update, adopt, cancel, conflict, skip'),
  from: additionValues,
  to: additionValues,
  outcome: z.enum(BILLING_CHANGE_OUTCOMES).describe("ConnectWise's answer"),
  message: z
    .string()
    .nullable()
    .describe("ConnectWise's message of a failure; why a line was skipped"),
  at: z.string(),
});

export const toBillingChangeView = (c: BillingChange) => ({
  runWorkflowId: c.runKey,
  trigger: c.trigger,
  customerId: c.customerId,
  agreementId: c.agreementId,
  sku: c.sku,
  additionId: c.additionId,
  action: c.action,
  from: c.from,
  to: c.to,
  outcome: c.outcome,
  message: c.message,
  at: c.at.toISOString(),
});
