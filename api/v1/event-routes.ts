import { z } from 'zod';
import type { Repositories } from '../../db';
import { EVENT_KEY, EVENT_LIMITS, TICKET_STATES } from '../../domain/tickets/event';
import { SEVERITIES } from '../../domain/tickets/settings';
import type { IntegrationService } from '../../services/integration-service';
import type { EventService } from '../../services/tickets/events';
import { notFound } from '../errors';
import { linksTo, route } from '../route';
import { cursor, DEFAULT_PAGE_SIZE, nextCursorOf, nextCursorView, pageSize } from './paging';
import { busyBody, errorBody, externalId, nonBlank, partnerParams } from './schemas';
import type { TemporalUi } from './temporal-ui';
import { ticketEventView, toTicketEventView } from './ticket-views';

const TAGS = ['Tickets'];
const base = '/partners/:partnerId/connectwise';
const KEY_MESSAGE = 'must be 1-80 of A-Z a-z 0-9 : . _ -';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

export const eventBody = z.object({
  key: z.string().regex(EVENT_KEY, KEY_MESSAGE).describe("The vendor's id of the event"),
  customerId: externalId,
  title: nonBlank(EVENT_LIMITS.title),
  severity: z.enum(SEVERITIES),
  description: text(EVENT_LIMITS.description),
  occurredAt: z.iso.datetime({ offset: true }).describe('ISO 8601 with a zone'),
  category: text(EVENT_LIMITS.category).optional(),
  url: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .max(EVENT_LIMITS.url)
    .optional()
    .describe("The event's page in the vendor console, linked from the ticket"),
});

/** One event, or `{events: [...]}`; a single event is read as a batch of one. */
const eventsBody = z.preprocess(
  (body) =>
    body && typeof body === 'object' && !Array.isArray(body) && !('events' in body)
      ? { events: [body] }
      : body,
  z.object({ events: z.array(eventBody).min(1).max(EVENT_LIMITS.batch) }),
);

const keyParams = partnerParams.extend({ key: z.string().regex(EVENT_KEY, KEY_MESSAGE) });

const acceptance = z.object({
  key: z.string(),
  accepted: z.boolean(),
  workflowId: z.string().optional(),
  firstReport: z.boolean().optional().describe('The first report of this key (a new event)'),
  error: z.string().optional(),
});

export interface EventRouteDeps {
  events: EventService;
  repos: Pick<Repositories, 'ticketEvents' | 'ticketHistory'>;
  integrations: Pick<IntegrationService, 'live'>;
  temporalUi: TemporalUi;
  now: () => Date;
}

/** Security events in (one or a batch), resolves, and each event's ticket. */
export function eventRoutes({ events, repos, integrations, temporalUi, now }: EventRouteDeps) {
  const viewOf = async (partnerId: string, key: string) => {
    const integration = await integrations.live(partnerId);
    const row = await repos.ticketEvents.get({ partnerId, integrationId: integration.id }, key);
    if (!row) throw notFound(`event ${key}`);
    return toTicketEventView(row, integration.id, temporalUi);
  };
  return [
    route({
      method: 'post',
      auth: 'partner',
      path: `${base}/events`,
      summary:
        'Report security events (one, or up to 500 as {events}); a key already reported is another occurrence of it',
      tags: TAGS,
      params: partnerParams,
      body: eventsBody,
      responses: {
        202: {
          description: 'What was accepted, per event, in the order sent',
          schema: z.object({ events: z.array(acceptance) }),
          links: linksTo(
            [
              ['event', 'get', `${base}/events/:key`],
              ['history', 'get', `${base}/events/:key/history`],
              ['resolve', 'post', `${base}/events/:key/resolve`],
            ],
            { key: '$response.body#/events/0/key' },
          ),
        },
        404: { description: 'No integration', schema: errorBody },
        429: {
          description:
            'More reports wait to be handed to the workflow service than the engine holds (INTAKE_MAX_BACKLOG), or this API process is answering INTAKE_MAX_IN_FLIGHT posts already: nothing of the batch was accepted; send it again after Retry-After seconds',
          schema: busyBody,
        },
      },
      handler: async ({ params, body }) => ({
        status: 202,
        body: { events: await events.accept(params.partnerId, body.events) },
      }),
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: `${base}/events/:key/resolve`,
      summary: 'The event is resolved: its ticket is closed with the closing status',
      tags: TAGS,
      params: keyParams,
      body: z.object({ resolution: text(EVENT_LIMITS.resolution).optional() }),
      responses: {
        202: {
          description: 'The event as it was when the resolve was accepted',
          schema: ticketEventView,
        },
        404: { description: 'No integration, or no such event', schema: errorBody },
        429: {
          description:
            "Reports of this event accepted earlier are still being handed to its workflow (they go first, in the vendor's order), or this API process is answering INTAKE_MAX_IN_FLIGHT posts already: send the resolve again after Retry-After seconds",
          schema: busyBody,
        },
      },
      handler: async ({ params, body }) => {
        await events.resolve(params.partnerId, params.key, body.resolution, now());
        return { status: 202, body: await viewOf(params.partnerId, params.key) };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/events/:key`,
      summary: 'One event and its ticket',
      tags: TAGS,
      params: keyParams,
      responses: {
        200: { description: 'The event', schema: ticketEventView },
        404: { description: 'No integration, or no such event', schema: errorBody },
      },
      handler: async ({ params }) => ({ body: await viewOf(params.partnerId, params.key) }),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/events/:key/history`,
      summary:
        "What happened to the event's tickets in ConnectWise (closed, reopened, changed, deleted), newest first, a page at a time",
      tags: TAGS,
      params: keyParams,
      query: z.object({ pageSize, cursor }),
      responses: {
        200: {
          description: 'One page of the history',
          schema: z.object({
            history: z.array(
              z.object({
                generation: z.number().int(),
                ticketId: z.number().int(),
                at: z.string(),
                kind: z.enum(['closed', 'reopened', 'changed', 'deleted']),
                detail: z.string(),
              }),
            ),
            nextCursor: nextCursorView,
          }),
        },
        404: { description: 'No integration, or no such event', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const { partnerId, key } = params;
        const integration = await integrations.live(partnerId);
        const scope = { partnerId, integrationId: integration.id };
        if (!(await repos.ticketEvents.get(scope, key))) throw notFound(`event ${key}`);
        const page = await repos.ticketHistory.page(scope, key, {
          after: query.cursor,
          limit: query.pageSize ?? DEFAULT_PAGE_SIZE,
        });
        return {
          body: {
            history: page.items.map((h) => ({
              generation: h.generation,
              ticketId: h.ticketId,
              at: h.at.toISOString(),
              kind: h.kind,
              detail: h.detail,
            })),
            nextCursor: nextCursorOf(page.next),
          },
        };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/tickets`,
      summary: 'Events and their tickets, most recently seen first, a page at a time',
      tags: TAGS,
      params: partnerParams,
      query: z.object({
        state: z.enum(TICKET_STATES).optional(),
        customerId: externalId.optional(),
        pageSize,
        cursor,
      }),
      responses: {
        200: {
          description: 'One page of events',
          schema: z.object({ tickets: z.array(ticketEventView), nextCursor: nextCursorView }),
        },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const { partnerId } = params;
        const integration = await integrations.live(partnerId);
        const page = await repos.ticketEvents.page(
          { partnerId, integrationId: integration.id },
          { state: query.state, customerId: query.customerId },
          { after: query.cursor, limit: query.pageSize ?? DEFAULT_PAGE_SIZE },
        );
        return {
          body: {
            tickets: page.items.map((r) => toTicketEventView(r, integration.id, temporalUi)),
            nextCursor: nextCursorOf(page.next),
          },
        };
      },
    }),
  ];
}
