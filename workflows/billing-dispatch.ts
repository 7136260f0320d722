import {
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { BillingTrigger } from '../domain/billing/run';
import { billingRunWorkflow } from './billing-run';
import { billingRunWorkflowId } from './ids';
import type { RunSummary } from './messages';
import { IntegrationIdKey, PartnerIdKey, SyncKindKey, SyncTriggerKey } from './search-attributes';

/**
 * Lifecycles that start billing runs as child workflows (with their own SyncRun rows and audit).
 * Histories from before ran no billing; the patch keeps them replaying as they ran.
 */
export const BILLING_RUN_PATCH = 'lifecycle-billing-child-runs';

/** The workflow id run number `seq` of this lifecycle chain gets. */
export const billingRunIdFor = (integrationId: string, seq: number): string =>
  billingRunWorkflowId(integrationId, workflowInfo().firstExecutionRunId, seq);

export interface DispatchedRun {
  outcome: RunSummary['outcome'];
  summary: string;
  runWorkflowId: string;
}

/**
 * Runs one billing run as a child workflow and waits for it: one row in the Temporal UI per run,
 * found by IntegrationId, PartnerId, SyncKind and SyncTrigger, with the trigger in its memo.
 */
export async function dispatchBillingRun(
  ids: { integrationId: string; partnerId: string },
  trigger: BillingTrigger,
  seq: number,
  approvedKey?: string,
): Promise<DispatchedRun> {
  const runWorkflowId = billingRunIdFor(ids.integrationId, seq);
  try {
    const result = await executeChild(billingRunWorkflow, {
      workflowId: runWorkflowId,
      args: [{ ...ids, runKey: runWorkflowId, trigger, ...(approvedKey ? { approvedKey } : {}) }],
      typedSearchAttributes: [
        { key: IntegrationIdKey, value: ids.integrationId },
        { key: PartnerIdKey, value: ids.partnerId },
        { key: SyncKindKey, value: 'billing' },
        { key: SyncTriggerKey, value: trigger },
      ],
      memo: { trigger },
    });
    return { outcome: result.outcome, summary: result.summary, runWorkflowId };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const why =
      err instanceof ChildWorkflowFailure ? (err.cause?.message ?? err.message) : String(err);
    return { outcome: 'failed', summary: `the billing run did not finish: ${why}`, runWorkflowId };
  }
}
