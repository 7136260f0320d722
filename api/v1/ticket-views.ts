import { z } from 'zod';
import type { TicketEventRecord } from '../../db';
import { TICKET_STATES } from '../../domain/tickets/event';
import { SEVERITIES } from '../../domain/tickets/settings';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import { temporalUiWorkflowLink, type TemporalUi } from './temporal-ui';

export const ticketEventView = z.object({
  key: z.string(),
  customerId: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  state: z
    .enum(TICKET_STATES)
    .describe(
      'pending (not created yet, or held: see reason), open, resolved, closed_in_connectwise (closed in ConnectWise by someone else: see connectWise.closedBy), deleted_in_connectwise, skipped, failed, expired',
    ),
  reason: z.string().nullable().describe('Why it is skipped, failed, expired, or held'),
  ticketId: z.number().int().nullable().describe('The ConnectWise ticket'),
  summary: z.string().nullable().describe("The ConnectWise ticket's summary"),
  generation: z
    .number()
    .int()
    .describe('How many tickets this key had before this one (a new one after a resolve)'),
  occurrences: z.number().int().describe('Reports of the event for the current ticket'),
  notes: z.number().int().describe('Notes the engine wrote on the ticket'),
  firstSeen: z.string(),
  lastSeen: z.string(),
  resolvedAt: z.string().nullable(),
  updatedAt: z.string(),
  connectWise: z
    .object({
      status: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
      priority: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
      owner: z.object({ identifier: z.string(), name: z.string().nullable() }).nullable(),
      closed: z.boolean(),
      closedBy: z.string().nullable(),
      closedAt: z.string().nullable(),
      updatedAt: z.string().nullable(),
      updatedBy: z.string().nullable(),
    })
    .nullable()
    .describe(
      'The ticket as ConnectWise last showed it (read back after a callback or the poll); null until then',
    ),
  temporalUiUrl: z
    .string()
    .nullable()
    .describe("The event's workflow in the Temporal UI; null when TEMPORAL_UI_URL is unset"),
});

export const toTicketEventView = (
  r: TicketEventRecord,
  integrationId: string,
  ui: TemporalUi,
): z.infer<typeof ticketEventView> => ({
  key: r.key,
  customerId: r.customerId,
  title: r.title,
  severity: r.severity,
  state: r.state,
  reason: r.reason,
  ticketId: r.ticketId,
  summary: r.summary,
  generation: r.generation,
  occurrences: r.occurrences,
  notes: r.notes,
  firstSeen: r.firstSeen.toISOString(),
  lastSeen: r.lastSeen.toISOString(),
  resolvedAt: r.resolvedAt?.toISOString() ?? null,
  updatedAt: r.updatedAt.toISOString(),
  connectWise: r.connectWise,
  temporalUiUrl: temporalUiWorkflowLink(ui, ticketWorkflowId(integrationId, r.key)),
});
