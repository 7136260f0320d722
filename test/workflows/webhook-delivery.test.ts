import type { WebhookDelivery } from '../../db';
import { SIGNATURE_HEADER, type WebhookEventType } from '../../domain/webhooks/events';
import { verifyWebhookSignature } from '../../security/webhook-signature';
import { WebhookDeliveryClient } from '../../services/webhooks/delivery-client';
import { WebhookDispatcher } from '../../services/webhooks/dispatcher';
import { WebhookService } from '../../services/webhooks/subscriptions';
import { webhookDeliveryWorkflowId } from '../../workflows/webhook-delivery';
import { webhookDeliveryStatusQuery } from '../../workflows/webhook-messages';
import { captureLogger } from '../support/logger';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/**
 * Webhook deliveries to a local receiver (issue 19), on the time-skipping server with the real
 * activity, dispatcher and FerretDB: hours of retries pass in seconds. The signature verifies with
 * the secret the subscription was made with; a receiver failing twice gets the event on the third
 * try; one down for an hour gets everything in order when it returns; one down for longer than
 * 24 h gets `missed` records, and the events after still arrive.
 */
const MINUTE = 60_000;
let engine: TimeSkippingEngine;
let dispatcher: WebhookDispatcher;
let webhooks: WebhookService;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  engine = await startTimeSkippingEngine('webhooks');
  const deliveries = new WebhookDeliveryClient(engine.client, {
    TEMPORAL_TASK_QUEUE: engine.taskQueue,
  });
  dispatcher = new WebhookDispatcher({
    repos: engine.db.repos,
    deliveries,
    logger: captureLogger().logger,
    pollMs: 100,
  }).start();
  webhooks = new WebhookService({
    repos: engine.db.repos,
    keyring: engine.keyring,
    url: { allowPrivateHosts: true },
  });
}, 120_000);
afterAll(async () => {
  await dispatcher?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await engine?.stop();
});

/** A partner subscribed to its own receiver: the subscription, its secret and the receiver. */
async function subscribed(partnerId: string, events: WebhookEventType[] = ['ticket.created']) {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const { webhook, secret } = await webhooks.create(
    partnerId,
    { url: receiver.url, events },
    'test',
  );
  return { webhook, secret, receiver };
}

/** An event emitted at the test server's time (the workflow's clock). */
async function emit(partnerId: string, n: number, type: WebhookEventType = 'ticket.created') {
  const at = new Date(await engine.env.currentTimeMs());
  await engine.db.repos.webhookDeliveries.emit(
    partnerId,
    { type, key: `event-${n}`, data: { n } },
    at,
  );
}

async function deliveries(partnerId: string, webhookId: string): Promise<WebhookDelivery[]> {
  const page = await engine.db.repos.webhookDeliveries.page(
    partnerId,
    webhookId,
    {},
    {
      limit: 100,
    },
  );
  return page.items.reverse();
}

/**
 * The subscription's rows once `done` holds of them (real time, up to 10 s): a delivery's row is
 * written after its receiver answered, so what the receiver saw can be ahead of the rows.
 */
async function deliveriesOnce(
  partnerId: string,
  webhookId: string,
  done: (rows: WebhookDelivery[]) => boolean,
): Promise<WebhookDelivery[]> {
  const end = Date.now() + 10_000;
  for (;;) {
    const rows = await deliveries(partnerId, webhookId);
    if (done(rows) || Date.now() > end) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Skips `minutes` of the test server's time, an hour at most at once (each wait ≤ 1 h). */
async function skip(minutes: number, attempted: () => number): Promise<void> {
  for (let left = minutes; left > 0; left -= 61) {
    const before = attempted();
    await engine.env.sleep(Math.min(left, 61) * MINUTE);
    // A chunk of 61 minutes holds at least one retry: let it happen before skipping on.
    if (left >= 61) {
      const end = Date.now() + 10_000;
      while (attempted() === before && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
    }
  }
}

test('each delivery is signed with the secret the subscription was made with', async () => {
  const { webhook, secret, receiver } = await subscribed('p-signed');
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  await emit('p-signed', 1);
  const [got] = await receiver.until((r) => r.length === 1);
  const header = got!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  const t = Number(/t=(\d+)/.exec(header)![1]);
  expect(got!.headers['webhook-timestamp']).toBe(String(t));
  expect(got!.headers['webhook-id']).toBe(got!.body.id);
  expect(got!.headers['content-type']).toBe('application/json');
  expect(verifyWebhookSignature(secret, header, got!.raw, { now: t })).toBe(true);
  // Another secret, another body, or a timestamp out of tolerance: refused.
  expect(verifyWebhookSignature(`${secret.slice(0, -1)}x`, header, got!.raw, { now: t })).toBe(
    false,
  );
  expect(verifyWebhookSignature(secret, header, got!.raw.replace('1', '2'), { now: t })).toBe(
    false,
  );
  expect(verifyWebhookSignature(secret, header, got!.raw, { now: t + 301 })).toBe(false);
  expect(got!.body).toMatchObject({
    type: 'ticket.created',
    partnerId: 'p-signed',
    data: { n: 1 },
  });
  // The secret is nowhere in what the receiver got, nor in the delivery log.
  expect(JSON.stringify(got)).not.toContain(secret);
  const [row] = await deliveriesOnce('p-signed', webhook.id, ([r]) => r?.state === 'delivered');
  expect(row).toMatchObject({
    eventId: got!.body.id,
    state: 'delivered',
    attempts: 1,
    lastStatus: 204,
  });
});

test('a receiver failing twice gets the event on the third try, 30 s and 1 min later', async () => {
  const P = 'p-flaky';
  const { webhook, receiver } = await subscribed(P);
  receiver.answer((n) => (n < 2 ? 500 : 204));
  await emit(P, 1);
  await receiver.until((r) => r.length === 1);
  const handle = engine.client.workflow.getHandle(webhookDeliveryWorkflowId(webhook.id));
  // The receiver answered; the step records it and the workflow starts its wait.
  const failures = async (n: number) => {
    for (let i = 0; i < 200; i++) {
      const status = await handle.query(webhookDeliveryStatusQuery);
      if (status.failures === n) return status;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`never ${n} failures`);
  };
  expect(await failures(1)).toMatchObject({
    retryInMs: 30_000,
    failures: 1,
    lastError: 'HTTP 500: receiver down for maintenance',
  });
  let [row] = await deliveries(P, webhook.id);
  expect(row).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500 });

  await engine.env.sleep(31_000);
  await receiver.until((r) => r.length === 2);
  expect((await failures(2)).retryInMs).toBe(60_000);
  await engine.env.sleep(61_000);
  await receiver.until((r) => r.length === 3);
  expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 204]);
  // The same event each time: one id, one body.
  expect(new Set(receiver.received.map((r) => r.body.id)).size).toBe(1);
  expect(new Set(receiver.received.map((r) => r.raw.replace(/"createdAt":"[^"]+"/, ''))).size).toBe(
    1,
  );
  [row] = await deliveriesOnce(P, webhook.id, ([r]) => r?.state === 'delivered');
  expect(row).toMatchObject({
    state: 'delivered',
    attempts: 3,
    lastStatus: 204,
    lastError: null,
  });
});

test('a receiver down for an hour gets every event, in order, when it is back', async () => {
  const P = 'p-down-hour';
  const { webhook, receiver } = await subscribed(P, ['ticket.created', 'ticket.closed']);
  receiver.answer(503);
  for (const n of [1, 2, 3]) await emit(P, n);
  await receiver.until((r) => r.length === 1);
  await skip(20, () => receiver.received.length);
  await emit(P, 4, 'ticket.closed');
  await skip(40, () => receiver.received.length);
  // While it was down, only the first event was tried (the others wait behind it).
  expect(new Set(receiver.received.map((r) => r.body.data.n))).toEqual(new Set([1]));
  expect(receiver.received.length).toBeGreaterThanOrEqual(6);

  receiver.answer(204);
  await skip(61, () => receiver.received.length);
  const accepted = (await receiver.until((r) => r.filter((x) => x.status === 204).length === 4))
    .filter((r) => r.status === 204)
    .map((r) => r.body);
  expect(accepted.map((b) => [b.type, b.data.n])).toEqual([
    ['ticket.created', 1],
    ['ticket.created', 2],
    ['ticket.created', 3],
    ['ticket.closed', 4],
  ]);
  const rows = await deliveriesOnce(P, webhook.id, (rs) =>
    rs.every((r) => r.state === 'delivered'),
  );
  expect(rows.map((r) => r.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  expect(rows[0]!.attempts).toBe(receiver.received.length - 3);
});

test('a receiver down for longer than 24 h gets missed records; the events after still arrive', async () => {
  const P = 'p-down-day';
  const { webhook, receiver } = await subscribed(P);
  receiver.answer(503);
  // Three events at once: the two behind the first wait for it, and go out of their window too.
  for (const n of [1, 2, 3]) await emit(P, n);
  await receiver.until((r) => r.length === 1);
  const missed = async () => (await deliveries(P, webhook.id))[0]!.state === 'missed';
  for (let hours = 0; hours < 27 && !(await missed()); hours++)
    await skip(61, () => receiver.received.length);
  const [first] = await deliveries(P, webhook.id);
  expect(first).toMatchObject({
    state: 'missed',
    lastStatus: 503,
    lastError: 'HTTP 503: receiver down for maintenance',
  });
  expect(first!.attempts).toBeGreaterThan(20);
  expect(first!.finishedAt!.getTime() - first!.createdAt.getTime()).toBeGreaterThanOrEqual(
    24 * 60 * MINUTE,
  );

  // The backlog out of its window is missed with it, without a day-late attempt each.
  expect(new Set(receiver.received.map((r) => r.body.data.n))).toEqual(new Set([1]));
  const behind = (await deliveries(P, webhook.id)).slice(1);
  expect(behind.map((r) => [r.data.n, r.state, r.attempts, r.lastStatus])).toEqual([
    [2, 'missed', 0, 503],
    [3, 'missed', 0, 503],
  ]);

  receiver.answer(204);
  await emit(P, 4);
  await receiver.until((r) => r.some((x) => x.status === 204));
  expect(receiver.accepted().map((r) => r.body.data.n)).toEqual([4]);
  const rows = await deliveriesOnce(P, webhook.id, (rs) => rs[3]?.state === 'delivered');
  expect(rows.map((r) => [r.data.n, r.state])).toEqual([
    [1, 'missed'],
    [2, 'missed'],
    [3, 'missed'],
    [4, 'delivered'],
  ]);
});

test('a removed subscription gets nothing more, and nothing of it stays pending', async () => {
  const P = 'p-removed';
  const { webhook, receiver } = await subscribed(P);
  receiver.answer(503);
  await emit(P, 1);
  await receiver.until((r) => r.length === 1);
  await webhooks.remove(P, webhook.id);
  await emit(P, 2);
  receiver.answer(204);
  await engine.env.sleep(61 * MINUTE);
  // Its workflow found it gone and ended.
  await engine.client.workflow.getHandle(webhookDeliveryWorkflowId(webhook.id)).result();
  expect(receiver.received).toHaveLength(1);
  expect(await deliveries(P, webhook.id)).toEqual([]);
});
