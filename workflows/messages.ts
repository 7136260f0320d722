/**
 * Every signal, query and update of the engine's workflows, shared by the workflows and the API.
 * Payloads carry ids and plain facts only: never credentials.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type SyncTrigger = 'schedule' | 'manual' | 'config_change';

export interface SynchronizeRequest {
  /** ISO time the user pressed Synchronize; recorded as given. */
  requestedAt: string;
  requestedBy?: string;
}

export interface RunSummary {
  trigger: SyncTrigger;
  startedAt: string;
  endedAt: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'skipped';
  summary: string;
  syncRunId?: string;
}

/** Pause or resume, as saved in the database: the workflow mirrors it. */
export interface PauseChange {
  paused: boolean;
  /** ISO time of the change. */
  changedAt: string;
}

/** Which settings a partner saved; billing will queue a `config_change` run from it. */
export interface SettingsChange {
  what: 'ticket_settings' | 'billing_settings' | 'company_mappings';
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
}

export const synchronizeSignal = defineSignal<[SynchronizeRequest]>('synchronize');
export const removeSignal = defineSignal('remove');
export const pauseSignal = defineSignal<[PauseChange]>('setPaused');
/** Cheap by design: the workflow only records it (no activity, no run of its own yet). */
export const settingsChangedSignal = defineSignal<[SettingsChange]>('settingsChanged');
export const statusQuery = defineQuery<IntegrationStatus>('status');
