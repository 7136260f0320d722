import { condition, setHandler } from '@temporalio/workflow';
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
import type { GONE } from './run-failure';

export interface LifecycleInput {
  integrationId: string;
  partnerId: string;
  /** Period of the scheduled sync until the settings name one (read at every run). */
  syncIntervalMs: number;
  /** Continue as new after this many runs even if the server has not suggested it yet. */
  maxRunsPerGeneration?: number;
  /** The state a continued-as-new run takes over. */
  carried?: CarriedState;
}

/** What survives continue-as-new. */
export interface CarriedState {
  startedAt: string;
  nextRunAt: number;
  pending: SyncTrigger[];
  synchronizeRequests: SynchronizeRequest[];
  lastRuns: RunSummary[];
  generation: number;
  runSequence: number;
  paused: boolean;
  lastSettingsChange: SettingsChange | null;
  /** A previewed plan the next manual run applies (`POST …/billing/apply`). */
  approvedKey?: string;
  /** The period the settings named at the last run; absent: the input's. */
  periodMs?: number;
}

/** How a run ended; `billingRan` when a billing run (a child workflow) recorded its own row. */
export type RunResult =
  { outcome: RunSummary['outcome']; summary: string; billingRan?: true } | typeof GONE;

const KEEP_REQUESTS = 20;
const KEEP_RUNS = 20;

const keepLast = <T>(list: T[], n: number): void => {
  if (list.length > n) list.splice(0, list.length - n);
};

/**
 * The lifecycle's state and its message handlers: the schedule, the queue of runs asked for
 * (presses coalesce, a settings change queues a `config_change` run), pause, removal, and what
 * the status query shows. Its `CarriedState` crosses continue-as-new.
 */
export class LifecycleState {
  private readonly state: CarriedState;
  removed = false;
  private syncing = false;
  private currentRun: IntegrationStatus['currentRun'] = null;
  /** The run in progress: its trigger and start, for the status's `currentRun`. */
  private run?: { trigger: SyncTrigger; startedAt: string };

  constructor(
    private readonly input: LifecycleInput,
    /** The run key (`billing-run:…`) run number `seq` gets. */
    private readonly runKeyOf: (seq: number) => string,
  ) {
    const carried = input.carried;
    this.state = {
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
  }

  listen(): void {
    setHandler(synchronizeSignal, (request) => {
      this.synchronize(request);
    });
    // Queued runs start in order, right after the current one: the n-th gets the n-th next number.
    setHandler(synchronizeUpdate, (request) => {
      const { index, joined } = this.synchronize(request);
      return { runWorkflowId: this.runKeyOf(this.state.runSequence + 1 + index), joined };
    });
    setHandler(removeSignal, () => {
      this.removed = true;
    });
    setHandler(pauseSignal, (change) => {
      this.state.paused = change.paused;
    });
    setHandler(settingsChangedSignal, (change) => {
      this.state.lastSettingsChange = change;
      // A change of what billing reads (agreements, mappings) is synced without waiting a period.
      if (change.what !== 'ticket_settings') this.queue('config_change');
    });
    setHandler(statusQuery, () => this.status());
  }

  /**
   * Waits for the next run: the schedule's time, or a run asked for; paused, only for resume.
   * Its trigger, or undefined once the integration is removed. A run missed while paused happens
   * right after resuming.
   */
  async nextRun(): Promise<SyncTrigger | undefined> {
    const { state } = this;
    for (;;) {
      const pausedAtWait = state.paused;
      const wake = () =>
        this.removed ||
        state.paused !== pausedAtWait ||
        (!pausedAtWait && state.pending.length > 0);
      let signalled = true;
      if (pausedAtWait) await condition(wake);
      else signalled = await condition(wake, Math.max(1, state.nextRunAt - Date.now()));
      if (this.removed) return undefined;
      // Paused or resumed meanwhile: wait again on the new terms.
      if (state.paused !== pausedAtWait) continue;
      if (signalled) return state.pending.shift()!;
      state.nextRunAt = Date.now() + this.period();
      return 'schedule';
    }
  }

  /** A run begins: its number, its start, and the previewed plan a manual run applies. */
  starting(trigger: SyncTrigger): { seq: number; startedAt: string; approvedKey?: string } {
    this.syncing = true;
    this.state.runSequence += 1;
    const startedAt = new Date().toISOString();
    this.run = { trigger, startedAt };
    const approvedKey = trigger === 'manual' ? this.state.approvedKey : undefined;
    if (approvedKey) delete this.state.approvedKey;
    return { seq: this.state.runSequence, startedAt, ...(approvedKey ? { approvedKey } : {}) };
  }

  /** The settings' period, read by the run's access check: the next scheduled run moves by it. */
  periodIs(minutes: number | undefined): void {
    const next = minutes ? minutes * 60_000 : this.input.syncIntervalMs;
    this.state.nextRunAt += next - this.period();
    this.state.periodMs = next;
  }

  /** The status names a billing run only once one is actually starting (not for a skip). */
  billingStarted(runWorkflowId: string): void {
    if (this.run) this.currentRun = { runWorkflowId, ...this.run };
  }

  /** The run is over (its row recorded): listed in the status, newest last. */
  ran(
    trigger: SyncTrigger,
    startedAt: string,
    runKey: string,
    result: Exclude<RunResult, typeof GONE>,
    syncRunId: string | undefined,
  ): void {
    this.currentRun = null;
    this.syncing = false;
    this.state.lastRuns.push({
      trigger,
      startedAt,
      endedAt: new Date().toISOString(),
      outcome: result.outcome,
      summary: result.summary,
      runKey,
      ...(syncRunId ? { syncRunId } : {}),
      ...('billingRan' in result ? { runWorkflowId: runKey } : {}),
    });
    keepLast(this.state.lastRuns, KEEP_RUNS);
  }

  /** The state the next generation takes over. */
  carry(): CarriedState {
    return { ...this.state, generation: this.state.generation + 1 };
  }

  private period(): number {
    return this.state.periodMs ?? this.input.syncIntervalMs;
  }

  /** Queues a run (unless one with this trigger is queued already); its position in the queue. */
  private queue(trigger: SyncTrigger): { index: number; joined: boolean } {
    const at = this.state.pending.indexOf(trigger);
    if (at >= 0) return { index: at, joined: true };
    this.state.pending.push(trigger);
    return { index: this.state.pending.length - 1, joined: false };
  }

  private synchronize(request: SynchronizeRequest): { index: number; joined: boolean } {
    const { approvedKey, ...asked } = request;
    this.state.synchronizeRequests.push(asked);
    keepLast(this.state.synchronizeRequests, KEEP_REQUESTS);
    // The queued manual run (this press's, or the one it joins) applies that plan only.
    if (approvedKey) this.state.approvedKey = approvedKey;
    // Presses while a manual run is already queued coalesce into that run.
    return this.queue('manual');
  }

  private status(): IntegrationStatus {
    const { state } = this;
    const lifecycle = this.removed
      ? 'removed'
      : this.syncing
        ? 'syncing'
        : state.paused
          ? 'paused'
          : 'running';
    return {
      integrationId: this.input.integrationId,
      partnerId: this.input.partnerId,
      lifecycle,
      startedAt: state.startedAt,
      nextRunAt:
        lifecycle === 'removed' || state.paused ? null : new Date(state.nextRunAt).toISOString(),
      pendingRequests: state.pending.length,
      synchronizeRequests: state.synchronizeRequests,
      lastRuns: state.lastRuns,
      generation: state.generation,
      lastSettingsChange: state.lastSettingsChange,
      currentRun: this.currentRun,
    };
  }
}
