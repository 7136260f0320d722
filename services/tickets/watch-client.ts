import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import { callTemporal } from '../../temporal/unavailable';
import { IntegrationIdKey, PartnerIdKey, SyncKindKey } from '../../workflows/search-attributes';
import { ticketsChangedSignal, watchSettingsSignal } from '../../workflows/ticket-messages';
import { ticketWatchWorkflowId, type ticketWatchWorkflow } from '../../workflows/ticket-watch';

type Ids = { partnerId: string; integrationId: string };

/**
 * The API's side of an integration's ticket watch (workflows/ticket-watch.ts): started by the
 * first signal (signal-with-start), told of ticket changes by callbacks and of new ticket
 * settings, so it registers or moves the callback.
 */
export class TicketWatchClient {
  constructor(
    private readonly temporal: Client,
    private readonly config: Pick<Config, 'TEMPORAL_TASK_QUEUE'> &
      Partial<Pick<Config, 'TEMPORAL_TICKET_TASK_QUEUE'>>,
  ) {}

  private options(ids: Ids) {
    const activityTaskQueue = this.config.TEMPORAL_TICKET_TASK_QUEUE;
    return {
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      workflowId: ticketWatchWorkflowId(ids.integrationId),
      args: [{ ...ids, ...(activityTaskQueue ? { activityTaskQueue } : {}) }] as [
        Parameters<typeof ticketWatchWorkflow>[0],
      ],
      typedSearchAttributes: [
        { key: IntegrationIdKey, value: ids.integrationId },
        { key: PartnerIdKey, value: ids.partnerId },
        { key: SyncKindKey, value: 'ticket-watch' },
      ],
    };
  }

  /** ConnectWise said these tickets changed (a callback). */
  async changed(ids: Ids, change: { ticketIds: number[]; messageId?: string }): Promise<void> {
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.signalWithStart<typeof ticketWatchWorkflow, [typeof change]>(
        'ticketWatchWorkflow',
        { ...this.options(ids), signal: ticketsChangedSignal, signalArgs: [change] },
      ),
    );
  }

  /** Ticket settings were saved or the integration validated: register (or move) the callback. */
  async settingsChanged(ids: Ids): Promise<void> {
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.signalWithStart<typeof ticketWatchWorkflow, []>(
        'ticketWatchWorkflow',
        { ...this.options(ids), signal: watchSettingsSignal, signalArgs: [] },
      ),
    );
  }
}
