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

export interface IntegrationStatus {
  integrationId: string;
  partnerId: string;
  lifecycle: 'running' | 'syncing' | 'removed';
  startedAt: string;
  nextRunAt: string | null;
  pendingRequests: number;
  /** The most recent Synchronize presses, newest last (bounded). */
  synchronizeRequests: SynchronizeRequest[];
  /** The most recent runs, newest last (bounded). */
  lastRuns: RunSummary[];
  /** How many times the workflow has continued as new, so the history stays small. */
  generation: number;
}

export const synchronizeSignal = defineSignal<[SynchronizeRequest]>('synchronize');
export const removeSignal = defineSignal('remove');
export const statusQuery = defineQuery<IntegrationStatus>('status');
