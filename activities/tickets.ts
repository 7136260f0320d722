import { noteHealth } from '../services/health';
import { eventsExpired } from '../domain/health/issues';
import type { SecurityEvent } from '../domain/tickets/event';
import type {
  CloseInput,
  NoteInput,
  OpenInput,
  Opened,
  ReopenInput,
  StepResult,
} from '../domain/tickets/steps';
import type { TicketEventUpdate } from '../db';
import { beginTicketEvent } from '../services/tickets/begin';
import {
  closeEventTicket,
  noteEventTicket,
  reopenEventTicket,
} from '../services/tickets/follow-up';
import { openEventTicket, type WithClient } from '../services/tickets/open';
import { asTemporalFailures } from './failures';
import type { ActivityDeps } from './deps';
import { liveIntegration, withConnectWise } from './with-connectwise';

/**
 * The steps of an event's ticket workflow (workflows/ticket.ts). Each reads the integration
 * afresh (paused, keys rejected, settings changed since) and records the event's row itself, so
 * the workflow needs no separate activity to record what a step did.
 */
export function createTicketActivities(deps: ActivityDeps) {
  const { repos } = deps;
  // A ticket step is foreground work: billing's calls in this worker yield while it runs.
  const foreground = <I, O>(step: (input: I) => Promise<O>) =>
    asTemporalFailures((input: I) =>
      deps.priority ? deps.priority.foreground(() => step(input)) : step(input),
    );
  const withClient: WithClient = (integration, step) => withConnectWise(deps, integration, step);
  const steps = { repos, withClient, createTimeoutMs: deps.cw.CW_WRITE_TIMEOUT_MS };
  return {
    /** Decides the generation (services/tickets/begin.ts), then finds or makes its ticket. */
    openEventTicket: foreground(async (input: OpenInput): Promise<StepResult<Opened>> => {
      const integration = await liveIntegration(repos, input.ref);
      const begun = await beginTicketEvent(repos, {
        ...input.ref,
        event: input.event,
        runId: input.beganBy,
        lastSeen: input.lastSeen,
        occurrences: input.occurrences,
      });
      if ('counted' in begun) return { end: begun.counted, reason: begun.reason, counted: true };
      const { generation } = begun;
      const opened = await openEventTicket(
        steps,
        integration,
        { ...input, ref: { ...input.ref, generation } },
        begun,
      );
      return 'done' in opened ? { ...opened, done: { ...opened.done, generation } } : opened;
    }),
    noteEventTicket: foreground(async (input: NoteInput) =>
      noteEventTicket(steps, await liveIntegration(repos, input.ref), input),
    ),
    closeEventTicket: foreground(async (input: CloseInput) =>
      closeEventTicket(steps, await liveIntegration(repos, input.ref), input),
    ),
    reopenEventTicket: foreground(async (input: ReopenInput) =>
      reopenEventTicket(steps, await liveIntegration(repos, input.ref), input),
    ),
    /** What the workflow itself decided (expired, counted, held why). */
    recordTicketEvent: asTemporalFailures(
      async (input: {
        ref: OpenInput['ref'];
        event: SecurityEvent;
        update: Pick<TicketEventUpdate, 'state' | 'reason' | 'occurrences'>;
      }): Promise<void> => {
        await repos.ticketEvents.record(input.ref, input.event, input.update);
        if (input.update.state === 'expired')
          await noteHealth(repos, input.ref, { kinds: ['events_expired'], by: 'a ticket step' }, [
            eventsExpired(input.event.key, input.update.reason ?? 'held too long'),
          ]);
      },
    ),
  };
}
