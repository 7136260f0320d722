import { agreementIneligible, BILLING_RUN_KINDS } from '../../domain/health/issues';
import type { SecurityEvent } from '../../domain/tickets/event';
import { sealWebhookSecret } from '../../services/webhooks/secret';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';

/**
 * The webhook repositories' promises (issue 19): at most ten subscriptions per partner however
 * many requests race; an event emitted twice is one row per subscription; rows come out oldest
 * first; a failure past the window is recorded missed; the repositories that hold the state emit
 * once per change.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('webhooks-repo');
});
afterAll(async () => {
  await db.close();
});

const keyring = testKeyring();
const subscribe = (partnerId: string, events: string[], url = 'https://93.184.216.34/hooks') =>
  db.repos.webhooks.create(
    {
      partnerId,
      url,
      events,
      sealSecret: (webhookId) => sealWebhookSecret(keyring, { partnerId, webhookId }, 'whsec_test'),
    },
    10,
  );

test('twelve subscriptions racing make ten; the others are refused, and a removal frees a place', async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, () => subscribe('p-cap', ['ticket.created'])),
  );
  const made = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  expect(made).toHaveLength(10);
  expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : ''))).toEqual([
    'WebhookLimitError',
    'WebhookLimitError',
  ]);
  const list = await db.repos.webhooks.list('p-cap');
  expect(list).toHaveLength(10);
  expect(JSON.stringify(list)).not.toMatch(/whsec|"ct"/);
  await expect(subscribe('p-cap', ['ticket.created'])).rejects.toThrow(/at most 10/);
  expect(await db.repos.webhooks.remove('p-cap', list[3]!.id)).toBe(true);
  expect(await db.repos.webhooks.remove('p-cap', list[3]!.id)).toBe(false);
  await subscribe('p-cap', ['ticket.created']);
  expect(await db.repos.webhooks.list('p-cap')).toHaveLength(10);
});

test("another partner's subscription is not found by id", async () => {
  const mine = await subscribe('p-a', ['ping']);
  expect(await db.repos.webhooks.get('p-a', mine.id)).toMatchObject({ id: mine.id });
  expect(await db.repos.webhooks.get('p-b', mine.id)).toBeUndefined();
  expect(await db.repos.webhooks.withSecret('p-b', mine.id)).toBeUndefined();
  expect(await db.repos.webhooks.remove('p-b', mine.id)).toBe(false);
});

test('an event emitted twice is one row per subscription that wants it, oldest first', async () => {
  const P = 'p-emit';
  const tickets = await subscribe(P, ['ticket.created', 'ticket.closed']);
  const health = await subscribe(P, ['health_issue.opened']);
  const at = new Date('2026-06-01T10:00:00Z');
  const event = (n: number) => ({ type: 'ticket.created', key: `k${n}`, data: { n } });
  expect(await db.repos.webhookDeliveries.emit(P, event(1), at)).toBe(1);
  // The same event again (a retried step): nothing new.
  expect(await db.repos.webhookDeliveries.emit(P, event(1), at)).toBe(0);
  // Three more in the same millisecond keep the order they were emitted in.
  expect(await db.repos.webhookDeliveries.emit(P, [event(2), event(3), event(4)], at)).toBe(3);
  expect(await db.repos.webhookDeliveries.emit(P, { ...event(5), type: 'ticket.reopened' })).toBe(
    0,
  );
  const log = await db.repos.webhookDeliveries.page(P, tickets.id, {}, { limit: 10 });
  expect(log.items.map((d) => d.data.n)).toEqual([4, 3, 2, 1]);
  expect((await db.repos.webhookDeliveries.page(P, health.id, {}, { limit: 10 })).items).toEqual(
    [],
  );

  const order: unknown[] = [];
  for (let row = await db.repos.webhookDeliveries.nextPending(P, tickets.id); row;) {
    order.push(row.data.n);
    await db.repos.webhookDeliveries.recordAttempt(row, {
      state: 'delivered',
      status: 204,
      error: null,
      at: new Date(),
    });
    row = await db.repos.webhookDeliveries.nextPending(P, tickets.id);
  }
  expect(order).toEqual([1, 2, 3, 4]);
  const delivered = await db.repos.webhookDeliveries.page(
    P,
    tickets.id,
    { state: 'delivered' },
    { limit: 10 },
  );
  expect(delivered.items.map((d) => [d.state, d.attempts, d.lastStatus])).toEqual(
    Array.from({ length: 4 }, () => ['delivered', 1, 204]),
  );
});

test('a failing row counts its attempts and, once missed, the next row comes out', async () => {
  const P = 'p-missed';
  const hook = await subscribe(P, ['ticket.closed']);
  const old = new Date(Date.now() - 25 * 3_600_000);
  await db.repos.webhookDeliveries.emit(
    P,
    { type: 'ticket.closed', key: 'a', data: { n: 1 } },
    old,
  );
  await db.repos.webhookDeliveries.emit(P, { type: 'ticket.closed', key: 'b', data: { n: 2 } });
  const first = (await db.repos.webhookDeliveries.nextPending(P, hook.id))!;
  const failure = { status: 500, error: 'HTTP 500: down', at: new Date() };
  await db.repos.webhookDeliveries.recordAttempt(first, { ...failure, state: 'pending' });
  const again = (await db.repos.webhookDeliveries.nextPending(P, hook.id))!;
  expect(again).toMatchObject({ eventId: first.eventId, attempts: 1, lastError: 'HTTP 500: down' });
  await db.repos.webhookDeliveries.recordAttempt(again, { ...failure, state: 'missed' });
  // A late write for a row no longer pending changes nothing.
  await db.repos.webhookDeliveries.recordAttempt(again, { ...failure, state: 'delivered' });
  const next = (await db.repos.webhookDeliveries.nextPending(P, hook.id))!;
  expect(next.data).toEqual({ n: 2 });
  const [missed] = (
    await db.repos.webhookDeliveries.page(P, hook.id, { state: 'missed' }, { limit: 5 })
  ).items;
  expect(missed).toMatchObject({ state: 'missed', attempts: 2, lastStatus: 500 });
  expect(missed!.finishedAt).toEqual(failure.at);

  // Pruned only when old and finished; removed with the subscription, pending rows too.
  expect(await db.repos.webhookDeliveries.prune(P, hook.id, new Date(Date.now() - 3_600_000))).toBe(
    1,
  );
  expect(await db.repos.webhookDeliveries.removeAll(P, hook.id)).toBe(1);
});

test('the dispatcher reads: due rows until announced; stale pending ones; orphans', async () => {
  const P = 'p-due';
  const hook = await subscribe(P, ['health_issue.resolved']);
  const long = new Date(Date.now() - 3_600_000);
  await db.repos.webhookDeliveries.emit(
    P,
    { type: 'health_issue.resolved', key: 'x', data: {} },
    long,
  );
  const due = (await db.repos.webhookDeliveries.due(100)).filter((d) => d.partnerId === P);
  expect(due).toEqual([
    { id: expect.any(String), partnerId: P, webhookId: hook.id, type: 'health_issue.resolved' },
  ]);
  await db.repos.webhookDeliveries.markAnnounced(due.map((d) => d.id));
  expect((await db.repos.webhookDeliveries.due(100)).filter((d) => d.partnerId === P)).toEqual([]);
  const cutoff = new Date(Date.now() - 60_000);
  expect(await db.repos.webhookDeliveries.stalePending(cutoff)).toContain(hook.id);
  expect((await db.repos.webhooks.partnersOf([hook.id, 'wh_gone'])).get(hook.id)).toBe(P);
  await db.repos.webhooks.remove(P, hook.id);
  expect(await db.repos.webhookDeliveries.removeOrphans([hook.id], cutoff)).toBe(1);
  expect(await db.repos.webhookDeliveries.stalePending(cutoff)).not.toContain(hook.id);
});

test('health issues, sync runs, approvals and tickets emit once per change', async () => {
  const P = 'p-sources';
  const I = 'i-sources';
  const scope = { partnerId: P, integrationId: I };
  const hook = await subscribe(P, [
    'health_issue.opened',
    'health_issue.resolved',
    'sync_run.completed',
    'billing.approval_pending',
    'billing.approval_decided',
    'ticket.created',
    'ticket.closed',
    'ticket.closed_in_connectwise',
    'ticket.reopened',
    'ticket.deleted_in_connectwise',
  ]);
  const types = async () =>
    (await db.repos.webhookDeliveries.page(P, hook.id, {}, { limit: 100 })).items
      .map((d) => d.type)
      .reverse();

  const check = { kinds: BILLING_RUN_KINDS, by: 'billing run r1' };
  const finding = agreementIneligible('c1', 300, 'agreement 300: cancelled');
  await db.repos.healthIssues.observe(scope, check, [finding]);
  await db.repos.healthIssues.observe(scope, check, [finding]);
  await db.repos.healthIssues.observe(scope, check, []);

  const run = {
    ...scope,
    kind: 'billing' as const,
    trigger: 'manual' as const,
    workflowId: 'billing-run:i:1',
    runId: 'r',
    runKey: 'billing-run:i:1',
    startedAt: new Date(),
  };
  await db.repos.syncRuns.record({ ...run, outcome: 'running' });
  await db.repos.syncRuns.record({ ...run, outcome: 'succeeded', endedAt: new Date() });
  await db.repos.syncRuns.record({ ...run, outcome: 'succeeded', endedAt: new Date() });

  const approval = {
    approvalId: '300.abc',
    ...scope,
    tenantKey: 't',
    agreementId: 300,
    customerId: 'c1',
    companyId: 250,
    runKey: run.runKey,
    planHash: 'h1',
    reasons: ['seats would drop'],
    operations: [],
    seats: { before: 10, after: 0 },
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 86_400_000),
  };
  await db.repos.billingApprovals.putPending(approval);
  // The same plan again, with another reason: the same approval, no new event.
  await db.repos.billingApprovals.putPending({ ...approval, reasons: ['another'] });
  await db.repos.billingApprovals.decide(
    scope,
    300,
    { approvalId: '300.abc', planHash: 'h1', now: new Date() },
    { status: 'rejected', by: 'alice', decisions: [] },
  );

  const event: SecurityEvent = {
    key: 'e1',
    customerId: 'c1',
    title: 't',
    severity: 'high',
    description: 'd',
    occurredAt: new Date().toISOString(),
  };
  const te = db.repos.ticketEvents;
  await te.record(scope, event, { state: 'pending', generation: 0, beganBy: 'run1' });
  await te.record(scope, event, { state: 'open', ticketId: 41 });
  await te.record(scope, event, { state: 'open', ticketId: 41 }); // a retry
  await te.recordConnectWise(scope, 'e1', 41, {
    connectWise: null,
    state: 'closed_in_connectwise',
  });
  await te.recordConnectWise(scope, 'e1', 41, {
    connectWise: null,
    state: 'closed_in_connectwise',
  });
  await te.record(scope, event, { state: 'open' }); // the engine reopens it
  await te.record(scope, event, { state: 'resolved' }); // and closes it
  await te.recordConnectWise(scope, 'e1', 99, {
    connectWise: null,
    state: 'deleted_in_connectwise',
  });
  await te.recordConnectWise(scope, 'e1', 41, {
    connectWise: null,
    state: 'deleted_in_connectwise',
  });

  expect(await types()).toEqual([
    'health_issue.opened',
    'health_issue.resolved',
    'sync_run.completed',
    'billing.approval_pending',
    'billing.approval_decided',
    'ticket.created',
    'ticket.closed_in_connectwise',
    'ticket.reopened',
    'ticket.closed',
    'ticket.deleted_in_connectwise',
  ]);
  const [deleted] = (await db.repos.webhookDeliveries.page(P, hook.id, {}, { limit: 1 })).items;
  expect(deleted!.data).toMatchObject({
    integrationId: I,
    eventKey: 'e1',
    customerId: 'c1',
    ticketId: 41,
    state: 'deleted_in_connectwise',
  });
});
