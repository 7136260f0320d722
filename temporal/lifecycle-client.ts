import {
  QueryNotRegisteredError,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { BillingProgress } from '../domain/billing/run';
import type { Config } from '../config';
import type { IntegrationRecord } from '../db';
import type { integrationLifecycle } from '../workflows';
import { lifecycleWorkflowId } from '../workflows/ids';
import {
  pauseSignal,
  removeSignal,
  settingsChangedSignal,
  statusQuery,
  synchronizeUpdate,
  billingProgressQuery,
  type SynchronizeAnswer,
  type IntegrationStatus,
  type PauseChange,
  type SettingsChange,
  type SynchronizeRequest,
} from '../workflows/messages';
import { IntegrationIdKey, PartnerIdKey } from '../workflows/search-attributes';
import { callTemporal } from './unavailable';

export type LifecycleConfig = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'SYNC_INTERVAL_MINUTES'>;
type IntegrationIds = Pick<IntegrationRecord, 'id' | 'partnerId'>;

/**
 * The engine's side of the lifecycle workflow (on the scheduled-work task queue): start, signal,
 * query, remove. Ids only, never secrets. A Temporal that is down is `temporal_unavailable`.
 */
export class LifecycleClient {
  constructor(
    private readonly temporal: Client,
    private readonly config: LifecycleConfig,
  ) {}

  private startOptions(integration: IntegrationIds) {
    return {
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      workflowId: lifecycleWorkflowId(integration.id),
      args: [
        {
          integrationId: integration.id,
          partnerId: integration.partnerId,
          syncIntervalMs: this.config.SYNC_INTERVAL_MINUTES * 60_000,
        },
      ] satisfies Parameters<typeof integrationLifecycle>,
      typedSearchAttributes: [
        { key: IntegrationIdKey, value: integration.id },
        { key: PartnerIdKey, value: integration.partnerId },
      ],
    };
  }

  async start(integration: IntegrationIds): Promise<void> {
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.start<typeof integrationLifecycle>('integrationLifecycle', {
        ...this.startOptions(integration),
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }

  /**
   * Update-with-start: answers with the run the press queued (or the queued one it joined), and if
   * the lifecycle workflow is gone (terminated by an operator, say) it starts again instead of
   * failing.
   */
  async synchronize(
    integration: IntegrationIds,
    request: SynchronizeRequest,
  ): Promise<SynchronizeAnswer> {
    return await callTemporal(this.temporal, () =>
      this.temporal.workflow.executeUpdateWithStart(synchronizeUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof integrationLifecycle>(
          'integrationLifecycle',
          { ...this.startOptions(integration), workflowIdConflictPolicy: 'USE_EXISTING' },
        ),
      }),
    );
  }

  /** A billing run's progress; undefined when it has not started yet or is gone. */
  async runProgress(runWorkflowId: string): Promise<BillingProgress | undefined> {
    try {
      return await callTemporal(this.temporal, () =>
        this.temporal.workflow.getHandle(runWorkflowId).query(billingProgressQuery),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof QueryNotRegisteredError)
        return undefined;
      throw err;
    }
  }

  /** Pause or resume reaches the workflow (started again if it is gone, so status shows it). */
  async setPaused(integration: IntegrationIds, change: PauseChange): Promise<void> {
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.signalWithStart<typeof integrationLifecycle, [PauseChange]>(
        'integrationLifecycle',
        { ...this.startOptions(integration), signal: pauseSignal, signalArgs: [change] },
      ),
    );
  }

  /** Tells a running workflow that settings changed; a workflow that is gone needs no telling. */
  async settingsChanged(integrationId: string, change: SettingsChange): Promise<void> {
    await this.signalIfRunning(() =>
      this.handle(integrationId).signal(settingsChangedSignal, change),
    );
  }

  /**
   * The workflow's own status; `not_running` when it is gone (removed, terminated), `unavailable`
   * when Temporal or the worker did not answer in time. The portal still gets the stored state.
   */
  async status(integrationId: string): Promise<IntegrationStatus | 'not_running' | 'unavailable'> {
    try {
      // A query needs a worker; without one, answer in seconds rather than hang the request.
      return await callTemporal(this.temporal, () => this.handle(integrationId).query(statusQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'not_running';
      if (err instanceof QueryNotRegisteredError) return 'not_running';
      return 'unavailable';
    }
  }

  /**
   * Cancels the billing run going on now, if any (a reset to another tenant). Best effort: a run
   * that goes on anyway writes nothing more, since each batch checks the tenant first.
   */
  async cancelCurrentRun(integrationId: string): Promise<string | undefined> {
    const status = await this.status(integrationId);
    const runWorkflowId = typeof status === 'object' ? status.currentRun?.runWorkflowId : undefined;
    if (!runWorkflowId) return undefined;
    await this.signalIfRunning(async () => {
      await this.temporal.workflow.getHandle(runWorkflowId).cancel();
    });
    return runWorkflowId;
  }

  async remove(integrationId: string): Promise<void> {
    await this.signalIfRunning(() => this.handle(integrationId).signal(removeSignal));
  }

  private handle(integrationId: string) {
    return this.temporal.workflow.getHandle(lifecycleWorkflowId(integrationId));
  }

  private async signalIfRunning(signal: () => Promise<void>) {
    try {
      await callTemporal(this.temporal, signal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}
