import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  pauseSignal,
  removeSignal,
  settingsChangedSignal,
  statusQuery,
  synchronizeSignal,
  synchronizeUpdate,
  type IntegrationStatus,
  type RunSummary,
  type SettingsChange,
  type SynchronizeRequest,
  type SyncTrigger,
} from './messages';
import { BILLING_RUN_PATCH, billingRunIdFor, dispatchBillingRun } from './billing-dispatch';
import { stepsOf } from './activity-profiles';
import { GONE, runFailure } from './run-failure';

const { recordSyncRun } = stepsOf('syncRunRecord');
const { checkAccess } = stepsOf('accessCheck');

/**
 * Pause and resume reach the workflow (it stops scheduling while paused). Histories from before
 * this did not react to pause signals; the patch keeps them replaying as they ran.
 */
export const PAUSE_PATCH = 'lifecycle-pause-signal';

/**
 * Lifecycles that take their period from the integration's settings at every run (before, it was
 * frozen in the workflow input); the patch keeps older executions scheduling as they did.
 */
export const PERIOD_PATCH = 'lifecycle-period-from-settings';

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

type RunResult =
  | {
      outcome: RunSummary['outcome'];
      summary: string;
      /** Set when a billing run (a child workflow) ran: it recorded its own row. */
      runWorkflowId?: string;
    }
  | typeof GONE;

/**
 * One run: confirm access first (a 401 stops everything), then the work the settings ask for: a
 * billing run as a child workflow (`billing`, in lifecycles that have BILLING_RUN_PATCH).
 */
async function runOnce(
  input: LifecycleInput,
  billing?: {
    trigger: SyncTrigger;
    seq: number;
    starting: (runWorkflowId: string) => void;
    approvedKey?: string;
  },
  onSchedule?: (syncIntervalMinutes: number | undefined) => void,
): Promise<RunResult> {
  let billingEnabled: boolean | undefined;
  try {
    const access = await checkAccess({
      partnerId: input.partnerId,
      integrationId: input.integrationId,
    });
    onSchedule?.(access.syncIntervalMinutes);
    if (access.state !== 'active')
      return { outcome: 'skipped', summary: `the integration is ${access.state}` };
    billingEnabled = access.billingEnabled;
  } catch (err) {
    // A cancelled workflow stops; it does not record a failed run.
    if (isCancellation(err)) throw err;
    return runFailure(err);
  }
  if (!billing) return { outcome: 'skipped', summary: 'billing integration is not configured' };
  if (!billingEnabled) return { outcome: 'skipped', summary: 'billing integration is turned off' };
  billing.starting(billingRunIdFor(input.integrationId, billing.seq));
  return await dispatchBillingRun(input, billing.trigger, billing.seq, billing.approvedKey);
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const KEEP_REQUESTS = 20;
const KEEP_RUNS = 20;

/** What survives continue-as-new. */
export interface CarriedState {
  startedAt: string;
  nextRunAt: number;
  pending: SyncTrigger[];
  synchronizeRequests: SynchronizeRequest[];
  lastRuns: RunSummary[];
  generation: number;
  runSequence: number;
  /** Absent in states carried by workflows from before pause reached the workflow. */
  paused?: boolean;
  lastSettingsChange?: SettingsChange | null;
  /** A previewed plan the next manual run applies (`POST …/billing/apply`). */
  approvedKey?: string;
  /** The period the settings named at the last run (PERIOD_PATCH); absent: the input's. */
  periodMs?: number;
}

export interface LifecycleInput {
  integrationId: string;
  partnerId: string;
  /** Period of the scheduled sync. */
  syncIntervalMs: number;
  /** Continue as new after this many runs even if the server has not suggested it yet. */
  maxRunsPerGeneration?: number;
  carried?: CarriedState;
}

const keepLast = <T>(list: T[], n: number): void => {
  if (list.length > n) list.splice(0, list.length - n);
};

/**
 * One long-running workflow per integration (id `integration:<integrationId>`): it owns the
 * schedule, takes Synchronize presses, pause and resume, and answers the status query.
 */
export async function integrationLifecycle(input: LifecycleInput): Promise<void> {
  const carried = input.carried;
  const state: CarriedState = {
    startedAt: carried?.startedAt ?? new Date().toISOString(),
    nextRunAt: carried?.nextRunAt ?? Date.now() + input.syncIntervalMs,
    pending: [...(carried?.pending ?? [])],
    synchronizeRequests: [...(carried?.synchronizeRequests ?? [])],
    lastRuns: [...(carried?.lastRuns ?? [])],
    generation: carried?.generation ?? 0,
    runSequence: carried?.runSequence ?? 0,
    paused: carried?.paused ?? false,
    lastSettingsChange: carried?.lastSettingsChange ?? null,
    ...(carried?.periodMs ? { periodMs: carried.periodMs } : {}),
    ...(carried?.approvedKey ? { approvedKey: carried.approvedKey } : {}),
  };
  let removed = false;
  let syncing = false;
  // Billing runs as child workflows; executions from before keep running as they did.
  const billingRuns = patched(BILLING_RUN_PATCH);
  const periodFromSettings = patched(PERIOD_PATCH);
  const period = () => state.periodMs ?? input.syncIntervalMs;
  /** The settings' period, read by the run's access check: the pending scheduled run moves by the change. */
  const onSchedule = (minutes: number | undefined) => {
    const next = minutes ? minutes * 60_000 : input.syncIntervalMs;
    state.nextRunAt += next - period();
    state.periodMs = next;
  };
  const generationStartedAt = Date.now();
  let currentRun: IntegrationStatus['currentRun'] = null;
  /** Queues a run (unless one with this trigger is queued already); its position in the queue. */
  const queue = (trigger: SyncTrigger): { index: number; joined: boolean } => {
    const at = state.pending.indexOf(trigger);
    if (at >= 0) return { index: at, joined: true };
    state.pending.push(trigger);
    return { index: state.pending.length - 1, joined: false };
  };
  // Set once this execution runs code that honours pause (see PAUSE_PATCH).
  let pausable = false;
  const paused = () => pausable && state.paused === true;

  const synchronize = (request: SynchronizeRequest) => {
    const { approvedKey, ...asked } = request;
    state.synchronizeRequests.push(asked);
    keepLast(state.synchronizeRequests, KEEP_REQUESTS);
    // The queued manual run (this press's, or the one it joins) applies that plan only.
    if (approvedKey) state.approvedKey = approvedKey;
    // Presses while a manual run is already queued coalesce into that run.
    return queue('manual');
  };
  setHandler(synchronizeSignal, (request) => {
    synchronize(request);
  });
  // Queued runs start in order, right after the current one: the n-th gets the n-th next number.
  setHandler(synchronizeUpdate, (request) => {
    const { index, joined } = synchronize(request);
    const seq = state.runSequence + 1 + index;
    return {
      runWorkflowId: billingRuns
        ? billingRunIdFor(input.integrationId, seq)
        : workflowInfo().workflowId,
      joined,
    };
  });
  setHandler(removeSignal, () => {
    removed = true;
  });
  setHandler(pauseSignal, (change) => {
    state.paused = change.paused;
  });
  setHandler(settingsChangedSignal, (change) => {
    state.lastSettingsChange = change;
    // A change of what billing reads (agreements, mappings) is synced without waiting a period.
    if (billingRuns && change.what !== 'ticket_settings') queue('config_change');
  });
  setHandler(statusQuery, (): IntegrationStatus => {
    const lifecycle = removed ? 'removed' : syncing ? 'syncing' : paused() ? 'paused' : 'running';
    return {
      integrationId: input.integrationId,
      partnerId: input.partnerId,
      lifecycle,
      startedAt: state.startedAt,
      nextRunAt:
        lifecycle === 'removed' || paused() ? null : new Date(state.nextRunAt).toISOString(),
      pendingRequests: state.pending.length,
      synchronizeRequests: state.synchronizeRequests,
      lastRuns: state.lastRuns,
      generation: state.generation,
      lastSettingsChange: state.lastSettingsChange ?? null,
      currentRun,
    };
  });

  let runsThisGeneration = 0;
  for (;;) {
    pausable ||= patched(PAUSE_PATCH);
    const pausedAtWait = paused();
    const wake = () =>
      removed || paused() !== pausedAtWait || (!pausedAtWait && state.pending.length > 0);
    let signalled = true;
    if (pausedAtWait) await condition(wake);
    else signalled = await condition(wake, Math.max(1, state.nextRunAt - Date.now()));
    if (removed) return;
    // Paused or resumed meanwhile: wait again on the new terms (a run missed while paused
    // happens right after resuming).
    if (paused() !== pausedAtWait) continue;
    let trigger: SyncTrigger;
    if (signalled) {
      trigger = state.pending.shift()!;
    } else {
      trigger = 'schedule';
      state.nextRunAt = Date.now() + (periodFromSettings ? period() : input.syncIntervalMs);
    }

    syncing = true;
    state.runSequence += 1;
    const startedAt = new Date().toISOString();
    const info = workflowInfo();
    // The status names a billing run only once one is actually starting (not for a skip).
    const starting = (runWorkflowId: string) => {
      currentRun = { runWorkflowId, trigger, startedAt };
    };
    const approvedKey = trigger === 'manual' ? state.approvedKey : undefined;
    if (approvedKey) delete state.approvedKey;
    const result = await runOnce(
      input,
      billingRuns
        ? { trigger, seq: state.runSequence, starting, ...(approvedKey ? { approvedKey } : {}) }
        : undefined,
      periodFromSettings ? onSchedule : undefined,
    );
    currentRun = null;
    // Deleted (e.g. a Synchronize that restarted this workflow raced the deletion): stop here.
    if (result === GONE) return;
    const { outcome, summary, runWorkflowId } = result;
    // A billing run recorded its own row; anything else (skipped, no access) is recorded here.
    const syncRunId = runWorkflowId
      ? undefined
      : await recordRun({
          partnerId: input.partnerId,
          integrationId: input.integrationId,
          kind: 'billing',
          trigger,
          workflowId: info.workflowId,
          runId: info.runId,
          runKey: `${info.workflowId}/${info.firstExecutionRunId}#${state.runSequence}`,
          startedAt,
          endedAt: new Date().toISOString(),
          outcome,
          summary,
        });
    syncing = false;
    if (removed) return;
    state.lastRuns.push({
      trigger,
      startedAt,
      endedAt: new Date().toISOString(),
      outcome,
      summary,
      syncRunId,
      ...(runWorkflowId ? { runWorkflowId } : {}),
    });
    keepLast(state.lastRuns, KEEP_RUNS);
    runsThisGeneration += 1;

    const limit = input.maxRunsPerGeneration ?? 500;
    // At least weekly (lifecycles with billing runs), so a quiet history never grows for months.
    const weekOld = billingRuns && Date.now() - generationStartedAt >= WEEK_MS;
    if (workflowInfo().continueAsNewSuggested || runsThisGeneration >= limit || weekOld) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof integrationLifecycle>({
        ...input,
        carried: { ...state, generation: state.generation + 1 },
      });
    }
  }
}
