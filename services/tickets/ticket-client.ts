import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { SecurityEvent } from '../../domain/tickets/event';
import { callTemporal } from '../../temporal/unavailable';
import { IntegrationIdKey, PartnerIdKey, SyncKindKey } from '../../workflows/search-attributes';
import type { ticketWorkflow } from '../../workflows/ticket';
import {
  eventOccurredSignal,
  eventResolvedSignal,
  ticketWakeSignal,
  type EventOccurred,
  type EventResolved,
} from '../../workflows/ticket-messages';

export const ticketWorkflowId = (integrationId: string, key: string): string =>
  `ticket:${integrationId}:${key}`;

type Ids = { partnerId: string; integrationId: string };

/**
 * The API's side of the ticket workflows: each event key's workflow is started by its first
 * report and signalled by the next ones (signal-with-start, so a report is never lost between a
 * workflow ending and the next starting), woken when the integration can work again.
 */
export class TicketClient {
  constructor(
    private readonly temporal: Client,
    private readonly config: Pick<Config, 'TEMPORAL_TASK_QUEUE'> &
      Partial<Pick<Config, 'TEMPORAL_TICKET_TASK_QUEUE'>>,
  ) {}

  private options(ids: Ids, event: SecurityEvent) {
    const activityTaskQueue = this.config.TEMPORAL_TICKET_TASK_QUEUE;
    return {
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      workflowId: ticketWorkflowId(ids.integrationId, event.key),
      args: [{ ...ids, event, ...(activityTaskQueue ? { activityTaskQueue } : {}) }] as [
        Parameters<typeof ticketWorkflow>[0],
      ],
      typedSearchAttributes: [
        { key: IntegrationIdKey, value: ids.integrationId },
        { key: PartnerIdKey, value: ids.partnerId },
        { key: SyncKindKey, value: 'ticket' },
      ],
    };
  }

  /**
   * One occurrence of the event (its first report starts the workflow); `reportId`: its id in the
   * intake outbox, so a report handed over twice counts once.
   */
  async occurred(ids: Ids, event: SecurityEvent, reportId?: string): Promise<string> {
    const options = this.options(ids, event);
    const occurred: EventOccurred = { at: event.occurredAt, ...(reportId ? { reportId } : {}) };
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.signalWithStart<typeof ticketWorkflow, [EventOccurred]>(
        'ticketWorkflow',
        { ...options, signal: eventOccurredSignal, signalArgs: [occurred] },
      ),
    );
    return options.workflowId;
  }

  /** The event is resolved; a workflow that is gone (terminated) is started again to close it. */
  async resolved(ids: Ids, event: SecurityEvent, resolved: EventResolved): Promise<void> {
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.signalWithStart<typeof ticketWorkflow, [EventResolved]>(
        'ticketWorkflow',
        { ...this.options(ids, event), signal: eventResolvedSignal, signalArgs: [resolved] },
      ),
    );
  }

  /**
   * The event is resolved, told only to its workflow if it still runs (true then): a report
   * accepted since its last ticket was finished may have begun another, which this resolve
   * closes; the workflow drops a resolve with nothing left to close. None running: nothing to do.
   */
  async resolvedIfRunning(ids: Ids, key: string, resolved: EventResolved): Promise<boolean> {
    const handle = this.temporal.workflow.getHandle(ticketWorkflowId(ids.integrationId, key));
    return await callTemporal(this.temporal, async () => {
      try {
        await handle.signal(eventResolvedSignal, resolved);
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    });
  }

  /**
   * Wakes every running ticket workflow of the integration, so held events go now rather than at
   * their next retry (after a resume, a validation, new ticket settings). Best effort: a held
   * event still tries again on its own within minutes.
   */
  async wakeAll(integrationId: string): Promise<number> {
    let woken = 0;
    const query = `IntegrationId = "${integrationId}" AND SyncKind = "ticket" AND ExecutionStatus = "Running"`;
    await callTemporal(this.temporal, async () => {
      for await (const wf of this.temporal.workflow.list({ query })) {
        await this.temporal.workflow
          .getHandle(wf.workflowId)
          .signal(ticketWakeSignal)
          .then(() => (woken += 1))
          .catch(() => undefined);
      }
    });
    return woken;
  }
}
