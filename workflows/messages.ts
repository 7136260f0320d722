/**
 * Every signal, query and update of the engine's workflows, shared by the workflows and the API.
 * Payloads carry ids and plain facts only: never credentials.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BillingProgress } from '../domain/billing/run';

export type SyncTrigger = 'schedule' | 'manual' | 'config_change';

export interface SynchronizeRequest {
  /** ISO time the user pressed Synchronize; recorded as given. */
  requestedAt: string;
  requestedBy?: string;
  /**
   * Apply a previewed plan (`POST …/billing/apply`): the preview's key. The run it queues writes
   * only what that preview showed.
   */
  approvedKey?: string;
}

export interface RunSummary {
  trigger: SyncTrigger;
  startedAt: string;
  endedAt: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'skipped' | 'cancelled';
  summary: string;
  syncRunId?: string;
  /**
   * The run's key: the `runWorkflowId` Synchronize answered for it, whether or not a billing run
   * started; its row in the sync history has it (GET …/sync-runs/{runKey}).
   */
  runKey?: string;
  /** The billing run's own workflow (its progress query, its row in the Temporal UI). */
  runWorkflowId?: string;
}

/** Pause or resume, as saved in the database: the workflow mirrors it. */
export interface PauseChange {
  paused: boolean;
  /** ISO time of the change. */
  changedAt: string;
}

/** Which settings a partner saved; billing will queue a `config_change` run from it. */
export interface SettingsChange {
  what: 'ticket_settings' | 'billing_settings' | 'company_mappings' | 'product_mappings';
  /** ISO time of the change. */
  changedAt: string;
}

export interface IntegrationStatus {
  integrationId: string;
  partnerId: string;
  lifecycle: 'running' | 'syncing' | 'paused' | 'removed';
  startedAt: string;
  /** Null while paused or removed. */
  nextRunAt: string | null;
  pendingRequests: number;
  /** The most recent Synchronize presses, newest last (bounded). */
  synchronizeRequests: SynchronizeRequest[];
  /** The most recent runs, newest last (bounded). */
  lastRuns: RunSummary[];
  /** How many times the workflow has continued as new, so the history stays small. */
  generation: number;
  /** The latest settings change the workflow was told of. */
  lastSettingsChange: SettingsChange | null;
  /** The billing run going on now, if any. */
  currentRun?: { runWorkflowId: string; trigger: SyncTrigger; startedAt: string } | null;
}

export const synchronizeSignal = defineSignal<[SynchronizeRequest]>('synchronize');
export const removeSignal = defineSignal('remove');
export const pauseSignal = defineSignal<[PauseChange]>('setPaused');
/** Cheap by design: the workflow only records it (no activity, no run of its own yet). */
export const settingsChangedSignal = defineSignal<[SettingsChange]>('settingsChanged');
export const statusQuery = defineQuery<IntegrationStatus>('status');

/** A billing run's progress (agreements done of total, operations applied). */
export const billingProgressQuery = defineQuery<BillingProgress>('progress');

/** The run a Synchronize press queued or joined: its workflow id, to follow it. */
export interface SynchronizeAnswer {
  runWorkflowId: string;
  /** True when the press joined a run that was already queued. */
  joined: boolean;
}

/**
 * Synchronize as an update (sent with update-with-start, so a stopped lifecycle starts again):
 * answers with the run it queued, or the queued one it joined.
 */
export const synchronizeUpdate = defineUpdate<SynchronizeAnswer, [SynchronizeRequest]>(
  'synchronizeRun',
);
