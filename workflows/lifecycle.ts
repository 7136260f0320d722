import {
  allHandlersFinished,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BillingTrigger } from '../domain/billing/run';
import { stepsOf } from './activity-profiles';
import { billingRunWorkflow } from './billing-run';
import { billingRunWorkflowId } from './ids';
import { LifecycleState, type LifecycleInput, type RunResult } from './lifecycle-state';
import type { SyncTrigger } from './messages';
import { GONE, runFailure } from './run-failure';
import { IntegrationIdKey, PartnerIdKey, SyncKindKey, SyncTriggerKey } from './search-attributes';

export type { CarriedState, LifecycleInput } from './lifecycle-state';

const { recordSyncRun } = stepsOf('syncRunRecord');
const { checkAccess } = stepsOf('accessCheck');

/** Continue as new at least weekly, so a quiet history never grows for months. */
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * One long-running workflow per integration (id `integration:<integrationId>`): it owns the
 * schedule, takes Synchronize presses, pause and resume, and answers the status query. Each run:
 * wait for the schedule or a press, check access, run billing as a child workflow, record it.
 */
export async function integrationLifecycle(input: LifecycleInput): Promise<void> {
  const lifecycle = new LifecycleState(input, (seq) => billingRunIdFor(input.integrationId, seq));
  lifecycle.listen();
  const generationStartedAt = Date.now();
  let runsThisGeneration = 0;
  for (;;) {
    const trigger = await lifecycle.nextRun();
    if (trigger === undefined) return; // removed
    const { seq, startedAt, approvedKey } = lifecycle.starting(trigger);
    const runKey = billingRunIdFor(input.integrationId, seq);
    const result = await runOnce(input, lifecycle, { trigger, runKey, approvedKey });
    // Deleted (e.g. a Synchronize that restarted this workflow raced the deletion): stop here.
    if (result === GONE) return;
    // A billing run recorded its own row; anything else (skipped, no access) is recorded here,
    // under the same key, so the run a press was answered with is always found by it.
    const syncRunId = result.billingRan
      ? undefined
      : await recordRun({
          partnerId: input.partnerId,
          integrationId: input.integrationId,
          kind: 'billing',
          trigger,
          workflowId: workflowInfo().workflowId,
          runId: workflowInfo().runId,
          runKey,
          startedAt,
          endedAt: new Date().toISOString(),
          outcome: result.outcome,
          summary: result.summary,
        });
    if (lifecycle.removed) return;
    lifecycle.ran(trigger, startedAt, runKey, result, syncRunId);
    runsThisGeneration += 1;

    const limit = input.maxRunsPerGeneration ?? 500;
    const weekOld = Date.now() - generationStartedAt >= WEEK_MS;
    if (workflowInfo().continueAsNewSuggested || runsThisGeneration >= limit || weekOld) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof integrationLifecycle>({ ...input, carried: lifecycle.carry() });
    }
  }
}

/**
 * One run: confirm access first (a 401 stops everything; the settings' period is read here),
 * then the work the settings ask for: a billing run as a child workflow.
 */
async function runOnce(
  input: LifecycleInput,
  lifecycle: LifecycleState,
  run: { trigger: SyncTrigger; runKey: string; approvedKey?: string },
): Promise<RunResult> {
  let billingEnabled: boolean | undefined;
  try {
    const access = await checkAccess({
      partnerId: input.partnerId,
      integrationId: input.integrationId,
    });
    lifecycle.periodIs(access.syncIntervalMinutes);
    if (access.state !== 'active')
      return { outcome: 'skipped', summary: `the integration is ${access.state}` };
    billingEnabled = access.billingEnabled;
  } catch (err) {
    // A cancelled workflow stops; it does not record a failed run.
    if (isCancellation(err)) throw err;
    return runFailure(err);
  }
  if (!billingEnabled) return { outcome: 'skipped', summary: 'billing integration is turned off' };
  lifecycle.billingStarted(run.runKey);
  return await dispatchBillingRun(input, run.trigger, run.runKey, run.approvedKey);
}

/** The run's row in the database; a run whose row cannot be written is still shown in status. */
async function recordRun(
  run: Parameters<Activities['recordSyncRun']>[0],
): Promise<string | undefined> {
  try {
    return (await recordSyncRun(run)).syncRunId;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return undefined;
  }
}

/** The workflow id run number `seq` of this lifecycle chain gets. */
const billingRunIdFor = (integrationId: string, seq: number): string =>
  billingRunWorkflowId(integrationId, workflowInfo().firstExecutionRunId, seq);

/**
 * Runs one billing run as a child workflow and waits for it: one row in the Temporal UI per run,
 * found by IntegrationId, PartnerId, SyncKind and SyncTrigger, with the trigger in its memo.
 */
async function dispatchBillingRun(
  ids: { integrationId: string; partnerId: string },
  trigger: BillingTrigger,
  runWorkflowId: string,
  approvedKey?: string,
): Promise<RunResult> {
  const ran = { billingRan: true as const };
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
    return { outcome: result.outcome, summary: result.summary, ...ran };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const why =
      err instanceof ChildWorkflowFailure ? (err.cause?.message ?? err.message) : String(err);
    return { outcome: 'failed', summary: `the billing run did not finish: ${why}`, ...ran };
  }
}
