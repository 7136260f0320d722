import { z } from 'zod';
import type { WebhookDelivery, WebhookRecord } from '../../db';
import {
  SIGNATURE_HEADER,
  WEBHOOK_DELIVERY_STATES,
  WEBHOOK_EVENT_TYPES,
} from '../../domain/webhooks/events';
import type { WebhookService } from '../../services/webhooks/subscriptions';
import { linksTo, route } from '../route';
import { cursor, DEFAULT_PAGE_SIZE, nextCursorOf, nextCursorView, pageSize } from './paging';
import { busyBody, errorBody, nonBlank, partnerParams, unique } from './schemas';

const TAGS = ['Webhooks'];
const base = '/partners/:partnerId/webhooks';

const webhookParams = partnerParams.extend({
  webhookId: z
    .string()
    .regex(/^wh_[0-9a-f]{24}$/, 'must be a webhook id this API answered (wh_ and 24 hex digits)'),
});

const eventType = z.enum(WEBHOOK_EVENT_TYPES);

export const webhookView = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(eventType),
    description: z.string().nullable(),
    createdAt: z.string().datetime(),
    createdBy: z.string().nullable().describe('The name of the API token that made it'),
  })
  .describe("A subscription to the engine's events; its secret is shown only when it is made");

const toWebhookView = (w: WebhookRecord): z.infer<typeof webhookView> => ({
  id: w.id,
  url: w.url,
  events: w.events.filter((e): e is z.infer<typeof eventType> =>
    (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e),
  ),
  description: w.description,
  createdAt: w.createdAt.toISOString(),
  createdBy: w.createdBy,
});

export const deliveryView = z
  .object({
    eventId: z.string().describe('The Webhook-Id header of every attempt, and the body\u2019s id'),
    type: z.enum([...WEBHOOK_EVENT_TYPES, 'ping']),
    state: z.enum(WEBHOOK_DELIVERY_STATES),
    attempts: z.number().int().min(0),
    createdAt: z.string().datetime(),
    lastAttemptAt: z.string().datetime().nullable(),
    lastStatus: z
      .number()
      .int()
      .nullable()
      .describe("The receiver's HTTP status at the last attempt; null: no answer"),
    lastError: z.string().nullable().describe('Why the last attempt failed'),
    deliveredAt: z.string().datetime().nullable(),
    missedAt: z
      .string()
      .datetime()
      .nullable()
      .describe('Given up 24 h after the event: read the state it tells of from the API'),
    data: z.record(z.string(), z.unknown()).describe("The event's data, as delivered"),
  })
  .describe('One event for one subscription, and its delivery');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toDeliveryView = (d: WebhookDelivery): z.infer<typeof deliveryView> => ({
  eventId: d.eventId,
  type: d.type as z.infer<typeof deliveryView>['type'],
  state: d.state,
  attempts: d.attempts,
  createdAt: d.createdAt.toISOString(),
  lastAttemptAt: iso(d.lastAttemptAt),
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: d.state === 'delivered' ? iso(d.finishedAt) : null,
  missedAt: d.state === 'missed' ? iso(d.finishedAt) : null,
  data: d.data,
});

const createBody = z.object({
  url: nonBlank(2048).describe(
    'https only, on a public address (checked now and at each delivery); no user name or password; redirects are not followed',
  ),
  events: z
    .array(eventType)
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .superRefine(unique((e) => e, 'event type'))
    .meta({ uniqueItems: true }),
  description: z.string().trim().max(200).optional(),
});

const notFoundAnswer = { description: 'No such webhook for this partner', schema: errorBody };

/** Webhook subscriptions to the portal (issue 19). */
export function webhookRoutes(webhooks: WebhookService) {
  return [
    route({
      method: 'post',
      auth: 'partner',
      path: base,
      summary: `Subscribe a URL to events. Each delivery is signed (${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the secret>); the secret is in this answer only`,
      tags: TAGS,
      params: partnerParams,
      body: createBody,
      responses: {
        201: {
          description: 'Subscribed; keep the secret now, it is never shown again',
          schema: webhookView.extend({
            secret: z.string().describe('whsec_…: verify each delivery with it'),
          }),
          links: linksTo(
            [
              ['webhook', 'get', `${base}/:webhookId`],
              ['deliveries', 'get', `${base}/:webhookId/deliveries`],
              ['ping', 'post', `${base}/:webhookId/ping`],
              ['unsubscribe', 'delete', `${base}/:webhookId`],
            ],
            { webhookId: '$response.body#/id' },
          ),
        },
      },
      handler: async ({ params, body, principal }) => {
        const { webhook, secret } = await webhooks.create(
          params.partnerId,
          body,
          principal.tokenName,
        );
        return { status: 201, body: { ...toWebhookView(webhook), secret } };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: base,
      summary: "The partner's webhook subscriptions (never their secrets)",
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Subscriptions', schema: z.object({ webhooks: z.array(webhookView) }) },
      },
      handler: async ({ params }) => ({
        body: { webhooks: (await webhooks.list(params.partnerId)).map(toWebhookView) },
      }),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/:webhookId`,
      summary: 'One webhook subscription (never its secret)',
      tags: TAGS,
      params: webhookParams,
      responses: { 200: { description: 'The subscription', schema: webhookView } },
      handler: async ({ params }) => ({
        body: toWebhookView(await webhooks.get(params.partnerId, params.webhookId)),
      }),
    }),
    route({
      method: 'delete',
      auth: 'partner',
      path: `${base}/:webhookId`,
      summary: 'Unsubscribe: no further delivery, and nothing of it stays pending',
      tags: TAGS,
      params: webhookParams,
      responses: { 204: { description: 'Removed', schema: null }, 404: notFoundAnswer },
      handler: async ({ params }) => {
        await webhooks.remove(params.partnerId, params.webhookId);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: `${base}/:webhookId/ping`,
      summary:
        'Send a `ping` event to this subscription (after any event pending for it); a receiver waiting for its next retry is tried at once',
      tags: TAGS,
      params: webhookParams,
      responses: {
        202: {
          description: 'Queued; follow it in the deliveries',
          schema: z.object({ eventId: z.string() }),
        },
        404: notFoundAnswer,
        429: {
          description:
            'A ping was sent to it less than 10 s ago: send again after Retry-After seconds',
          schema: busyBody,
        },
      },
      handler: async ({ params }) => ({
        status: 202,
        body: await webhooks.ping(params.partnerId, params.webhookId),
      }),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/:webhookId/deliveries`,
      summary:
        "The subscription's delivery log, newest first, a page at a time (filter: state): attempts, last status and error; missed events say when they were given up",
      tags: TAGS,
      params: webhookParams,
      query: z.object({
        state: z.enum(WEBHOOK_DELIVERY_STATES).optional(),
        pageSize,
        cursor,
      }),
      responses: {
        200: {
          description: 'One page of deliveries',
          schema: z.object({ deliveries: z.array(deliveryView), nextCursor: nextCursorView }),
        },
        404: notFoundAnswer,
      },
      handler: async ({ params, query }) => {
        const page = await webhooks.deliveries(
          params.partnerId,
          params.webhookId,
          { state: query.state },
          { after: query.cursor, limit: query.pageSize ?? DEFAULT_PAGE_SIZE },
        );
        return {
          body: {
            deliveries: page.items.map(toDeliveryView),
            nextCursor: nextCursorOf(page.next),
          },
        };
      },
    }),
  ];
}
