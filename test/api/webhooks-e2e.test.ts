import request from 'supertest';
import { SIGNATURE_HEADER } from '../../domain/webhooks/events';
import { verifyWebhookSignature } from '../../security/webhook-signature';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { billingApi } from './billing-helpers';
import { useSetupStack } from './setup-helpers';

/**
 * Webhooks end to end (issue 19): the portal subscribes over the API, and what the engine does
 * reaches its receiver, signed with the secret of the create answer: a ping; a billing run held
 * for approval (the approval pending, the candidate's health issue opened, the run completed, in
 * that order); the partner's decision (decided, the issue resolved, the next run completed). The
 * real engine: API, Temporal dev server, workers with the dispatcher, FerretDB, the simulator.
 */
const suite = useSetupStack('webhooks-e2e', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
]);
const { p1, setUp, synchronize, waitRun, firstPending, approveAdopting } = billingApi(suite);
let receiver: WebhookReceiver;
let secret: string;
let webhookId: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const res = await request(suite.engine.app)
    .post('/v1/partners/p1/webhooks')
    .set(p1())
    .send({
      url: receiver.url,
      events: [
        'sync_run.completed',
        'billing.approval_pending',
        'billing.approval_decided',
        'health_issue.opened',
        'health_issue.resolved',
      ],
    });
  expect(res.status).toBe(201);
  ({ secret, id: webhookId } = res.body as { secret: string; id: string });
});
afterAll(() => receiver?.close());

const events = () => receiver.accepted().map((r) => r.body);
const signed = () =>
  receiver.received.every((r) =>
    verifyWebhookSignature(secret, r.headers[SIGNATURE_HEADER.toLowerCase()] as string, r.raw),
  );

test('a ping reaches the receiver, signed with the secret of the create answer', async () => {
  const ping = await request(suite.engine.app)
    .post(`/v1/partners/p1/webhooks/${webhookId}/ping`)
    .set(p1());
  expect(ping.status).toBe(202);
  await receiver.until((r) => r.some((x) => x.body.id === ping.body.eventId));
  expect(events()).toEqual([
    {
      id: ping.body.eventId,
      type: 'ping',
      createdAt: expect.any(String),
      partnerId: 'p1',
      data: { webhookId, message: expect.any(String) },
    },
  ]);
  expect(signed()).toBe(true);
  // The row says delivered once the answer is recorded, just after the receiver answered.
  const delivered = () =>
    request(suite.engine.app)
      .get(`/v1/partners/p1/webhooks/${webhookId}/deliveries?state=delivered`)
      .set(p1());
  let log = await delivered();
  for (let i = 0; i < 100 && log.body.deliveries?.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    log = await delivered();
  }
  expect(log.body.deliveries).toEqual([
    expect.objectContaining({ eventId: ping.body.eventId, attempts: 1, lastStatus: 204 }),
  ]);
});

test('a run held for approval, and the decision, reach the portal in order', async () => {
  await setUp();
  const held = await synchronize();
  expect(held.result.outcome).toBe('partial');
  const completed = (runWorkflowId: string) => (e: ReturnType<typeof events>[number]) =>
    e.type === 'sync_run.completed' && e.data.workflowId === runWorkflowId;
  await receiver.until(() => events().some(completed(held.runWorkflowId)));
  const pending = events().find((e) => e.type === 'billing.approval_pending')!;
  expect(pending.data).toMatchObject({
    integrationId: suite.integrationId,
    agreementId: 300,
    customerId: 'c-acme',
    status: 'pending',
  });
  const opened = events().find(
    (e) =>
      e.type === 'health_issue.opened' &&
      (e.data.issue as { kind: string }).kind === 'candidate_waiting',
  )!;
  expect(opened.data).toMatchObject({
    integrationId: suite.integrationId,
    issue: { object: { type: 'agreement', id: '300' }, state: 'open' },
  });
  const run = events().find(completed(held.runWorkflowId))!;
  expect(run.data).toMatchObject({ kind: 'billing', outcome: 'partial', trigger: 'manual' });
  const at = (e: { id: string }) => events().findIndex((x) => x.id === e.id);
  expect(at(pending)).toBeLessThan(at(run));
  expect(at(opened)).toBeLessThan(at(run));

  const { approval, candidates } = await firstPending();
  expect(approval.approvalId).toBe(pending.data.approvalId);
  const decided = await approveAdopting(approval, candidates);
  expect(decided.status).toBe(200);
  const applied = decided.body.runWorkflowId as string;
  expect((await waitRun(applied)).outcome).toBe('succeeded');
  await receiver.until(() => events().some(completed(applied)));
  expect(events().find((e) => e.type === 'billing.approval_decided')!.data).toMatchObject({
    approvalId: approval.approvalId,
    status: 'approved',
    decidedBy: 'test p1',
  });
  const resolved = events().find(
    (e) =>
      e.type === 'health_issue.resolved' &&
      (e.data.issue as { id: string }).id === (opened.data.issue as { id: string }).id,
  );
  expect(resolved?.data).toMatchObject({ issue: { state: 'resolved' } });
  // Each event once, every delivery signed.
  expect(new Set(events().map((e) => e.id)).size).toBe(events().length);
  expect(signed()).toBe(true);
});
