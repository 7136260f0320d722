import type { SecurityEvent } from '../domain/tickets/event';
import type {
  CloseInput,
  NoteInput,
  OpenInput,
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
import type { ActivityDeps } from './index';
import { liveIntegration, withConnectWise } from './with-connectwise';

/**
 * The steps of an event's ticket workflow (workflows/ticket.ts). Each reads the integration
 * afresh (paused, keys rejected, settings changed since) and records the event's row itself, so
 * the workflow needs no separate activity to record what a step did.
 */
export function createTicketActivities(deps: ActivityDeps) {
  const { repos } = deps;
  const withClient: WithClient = (integration, step) => withConnectWise(deps, integration, step);
  const steps = { repos, withClient };
  return {
    async beginTicketEvent(input: {
      partnerId: string;
      integrationId: string;
      event: SecurityEvent;
      runId: string;
    }) {
      await liveIntegration(repos, input);
      return await beginTicketEvent(repos, input);
    },
    async openEventTicket(
      input: OpenInput,
    ): Promise<StepResult<{ ticketId: number; summary: string; generation?: number }>> {
      const integration = await liveIntegration(repos, input.ref);
      if (!input.beganBy) return await openEventTicket(steps, integration, input);
      const { generation } = await beginTicketEvent(repos, {
        ...input.ref,
        event: input.event,
        runId: input.beganBy,
      });
      const opened = await openEventTicket(steps, integration, {
        ...input,
        ref: { ...input.ref, generation },
      });
      return 'done' in opened ? { ...opened, done: { ...opened.done, generation } } : opened;
    },
    async noteEventTicket(input: NoteInput) {
      return await noteEventTicket(steps, await liveIntegration(repos, input.ref), input);
    },
    async closeEventTicket(input: CloseInput) {
      return await closeEventTicket(steps, await liveIntegration(repos, input.ref), input);
    },
    async reopenEventTicket(input: ReopenInput) {
      return await reopenEventTicket(steps, await liveIntegration(repos, input.ref), input);
    },
    /** What the workflow itself decided (expired, resolved before a ticket, held why). */
    async recordTicketEvent(input: {
      ref: OpenInput['ref'];
      event: SecurityEvent;
      update: Pick<TicketEventUpdate, 'state' | 'reason' | 'occurrences'>;
    }): Promise<void> {
      await repos.ticketEvents.record(input.ref, input.event, input.update);
    },
  };
}
