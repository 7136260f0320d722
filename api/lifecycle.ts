import { QueryNotRegisteredError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import type { IntegrationRecord } from '../db';
import type { integrationLifecycle } from '../workflows';
import { lifecycleWorkflowId } from '../workflows/ids';
import {
  removeSignal,
  statusQuery,
  synchronizeSignal,
  type IntegrationStatus,
  type SynchronizeRequest,
} from '../workflows/messages';
import { IntegrationIdKey, PartnerIdKey } from '../workflows/search-attributes';

const QUERY_DEADLINE_MS = 10_000;

export type LifecycleConfig = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'SYNC_INTERVAL_MINUTES'>;

/** The API's side of the lifecycle workflow: start, signal, query, remove. Ids only, never secrets. */
export class LifecycleClient {
  constructor(
    private readonly temporal: Client,
    private readonly config: LifecycleConfig,
  ) {}

  private startOptions(integration: Pick<IntegrationRecord, 'id' | 'partnerId'>) {
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

  async start(integration: Pick<IntegrationRecord, 'id' | 'partnerId'>): Promise<void> {
    await this.temporal.workflow.start<typeof integrationLifecycle>('integrationLifecycle', {
      ...this.startOptions(integration),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /**
   * Signal-with-start: if the lifecycle workflow is gone (terminated by an operator, say), pressing
   * Synchronize starts it again instead of failing.
   */
  async synchronize(
    integration: Pick<IntegrationRecord, 'id' | 'partnerId'>,
    request: SynchronizeRequest,
  ): Promise<void> {
    await this.temporal.workflow.signalWithStart<typeof integrationLifecycle, [SynchronizeRequest]>(
      'integrationLifecycle',
      { ...this.startOptions(integration), signal: synchronizeSignal, signalArgs: [request] },
    );
  }

  /**
   * The workflow's own status; `not_running` when it is gone (removed, terminated), `unavailable`
   * when Temporal or the worker did not answer in time. The portal still gets the stored state.
   */
  async status(integrationId: string): Promise<IntegrationStatus | 'not_running' | 'unavailable'> {
    try {
      // A query needs a worker; without one, answer in seconds rather than hang the request.
      return await this.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(lifecycleWorkflowId(integrationId)).query(statusQuery),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'not_running';
      if (err instanceof QueryNotRegisteredError) return 'not_running';
      return 'unavailable';
    }
  }

  async remove(integrationId: string): Promise<void> {
    try {
      await this.temporal.workflow
        .getHandle(lifecycleWorkflowId(integrationId))
        .signal(removeSignal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}
