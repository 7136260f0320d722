import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { WatchResult } from '../domain/tickets/connectwise-state';
import { ticketChangedSignal, ticketsChangedSignal, watchSettingsSignal } from './ticket-messages';
import { stepsOf } from './activity-profiles';
import { integrationGone } from './ticket-steps';

const watchStepsOn = (taskQueue: string | undefined) => stepsOf('ticketWatch', taskQueue);
const cleanupStepsOn = (taskQueue: string | undefined) => stepsOf('cleanup', taskQueue);

export interface TicketWatchInput {
  partnerId: string;
  integrationId: string;
  /** Where the steps run (TEMPORAL_TICKET_TASK_QUEUE); absent: this workflow's task queue. */
  activityTaskQueue?: string;
  carried?: { seen: string[]; pending: number[]; register: boolean };
}

/** Callbacks seen lately, by message id: a duplicate delivery is dropped. */
const SEEN_MAX = 500;
/** Changes arriving together are read together. */
const GATHER_MS = 1_000;
const HISTORY_LIMIT = 2_000;

/** The workflow id of an integration's ticket watch. */
export const ticketWatchWorkflowId = (integrationId: string): string =>
  `ticket-watch:${integrationId}`;

/** The workflow id of an event's ticket (services/tickets/ticket-client.ts names it the same). */
const eventWorkflowId = (integrationId: string, key: string) => `ticket:${integrationId}:${key}`;

/**
 * Two-way tickets for one integration (`ticket-watch:<integrationId>`): keeps the ConnectWise
 * callback registered as the ticket settings say, reads the tickets a callback names, and polls
 * the engine's open tickets every `pollMinutes` as the backstop, so a lost, late, duplicated or
 * reordered callback changes nothing but latency. What changed is recorded on the events' rows;
 * a ticket closed, reopened or deleted in ConnectWise is told to its event's workflow. Ends when
 * ticket integration is turned off (its callback removed) or the integration is deleted (its
 * callback removed, then the keys it kept for that dropped).
 */
export async function ticketWatchWorkflow(input: TicketWatchInput): Promise<void> {
  const scope = { partnerId: input.partnerId, integrationId: input.integrationId };
  const watchSteps = watchStepsOn(input.activityTaskQueue);
  const cleanupSteps = cleanupStepsOn(input.activityTaskQueue);
  const seen = new Set(input.carried?.seen ?? []);
  const pending = new Set<number>(input.carried?.pending ?? []);
  let register = input.carried?.register ?? true;
  setHandler(ticketsChangedSignal, ({ ticketIds, messageId }) => {
    if (messageId !== undefined) {
      if (seen.has(messageId)) return;
      seen.add(messageId);
      if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value!);
    }
    for (const id of ticketIds) pending.add(id);
  });
  setHandler(watchSettingsSignal, () => {
    register = true;
  });

  /**
   * Tells each event's workflow what happened to its ticket (a workflow that ended: nothing to
   * tell): all events at once (one workflow task, not one per event), each event's in order.
   */
  async function tell(result: WatchResult): Promise<void> {
    const byKey = new Map<string, WatchResult['signals']>();
    for (const s of result.signals) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
    await Promise.all(
      [...byKey].map(async ([key, signals]) => {
        const handle = getExternalWorkflowHandle(eventWorkflowId(input.integrationId, key));
        for (const { ticketId, change } of signals)
          await handle.signal(ticketChangedSignal, { ticketId, ...change }).catch(() => undefined);
      }),
    );
  }

  /**
   * A step's result; undefined when it failed past its retries (ConnectWise or the database
   * down: the next callback or poll tries again). The integration deleted ends the watch.
   */
  async function attempt<T>(step: () => Promise<T>): Promise<T | undefined | 'gone'> {
    try {
      return await step();
    } catch (err) {
      if (integrationGone(err)) return 'gone';
      return undefined;
    }
  }

  /**
   * The integration was deleted: its callback removed from ConnectWise while the keys it kept
   * for that are there (ConnectWise unreachable past the retries: left, its deliveries refused),
   * then the keys dropped.
   */
  async function afterDelete(): Promise<void> {
    await attempt(() => watchSteps.removeCallbackAfterDelete(scope));
    await cleanupSteps.dropDeletedSecret(scope);
  }

  let pollMinutes = 15;
  let nextPoll = Date.now();
  for (;;) {
    if (register) {
      register = false;
      const registration = await attempt(() => watchSteps.registerTicketCallback(scope));
      if (registration === 'gone') return await afterDelete();
      if (registration) {
        pollMinutes = registration.pollMinutes;
        if (!registration.enabled) return;
      }
    }
    await condition(() => pending.size > 0 || register, Math.max(1, nextPoll - Date.now()));
    if (register) continue;
    let result: WatchResult | undefined | 'gone';
    if (pending.size > 0) {
      await sleep(GATHER_MS);
      const ticketIds = [...pending];
      pending.clear();
      result = await attempt(() => watchSteps.applyTicketChanges({ ...scope, ticketIds }));
    } else {
      nextPoll = Date.now() + pollMinutes * 60_000;
      result = await attempt(() => watchSteps.pollTicketChanges(scope));
    }
    if (result === 'gone') return await afterDelete();
    if (result) {
      if (result.pollMinutes !== pollMinutes) {
        nextPoll += (result.pollMinutes - pollMinutes) * 60_000;
        pollMinutes = result.pollMinutes;
      }
      await tell(result);
      // Ticket integration turned off: the registration step removes the callback and ends.
      if (!result.enabled) register = true;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof ticketWatchWorkflow>({
        ...input,
        carried: { seen: [...seen], pending: [...pending], register },
      });
    }
  }
}
