import request from 'supertest';
import type { SimRecord } from '../../simulator';
import { as, cwBase, useSetupStack } from './setup-helpers';
import { ticketsApi } from './ticket-helpers';

/**
 * Two-way tickets over ConnectWise callbacks (issue 18): the engine listens on a real port (its
 * PUBLIC_BASE_URL), the simulator posts signed callbacks to it when a technician changes a ticket,
 * and the event's row follows within seconds. Registration keeps exactly one callback of ours.
 */
const suite = useSetupStack(
  'ticket-callbacks',
  [{ customerId: 'c-acme', name: 'Acme Corp' }],
  {},
  { listen: true },
);
const api = ticketsApi(suite);

beforeEach(async () => {
  const res = await request(suite.engine.app)
    .put(`${cwBase('p1')}/company-mappings`)
    .set(as(suite.engine.tokens.p1))
    .send({ mappings: [{ customerId: 'c-acme', companyId: 250 }] });
  expect(res.status).toBe(200);
});

const ourPrefix = () => `${suite.engine.url!}/connectwise/callbacks/`;

/** Polls the simulator's registered callbacks until `done` holds. */
async function callbacksUntil(done: (ours: SimRecord[], all: SimRecord[]) => boolean) {
  let all: SimRecord[] = [];
  for (let i = 0; i < 150; i++) {
    all = await suite.fx.sim.admin.state.callbacks();
    const ours = all.filter((c) => String(c.url).startsWith(ourPrefix()));
    if (done(ours, all)) return { ours, all };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`callbacks never got there: ${JSON.stringify(all)}`);
}

test('ticket settings register one self-suppressed callback on the board, move it, and remove it', async () => {
  await api.enableTickets();
  const first = await callbacksUntil((ours) => ours.length === 1);
  expect(first.ours[0]).toMatchObject({
    objectId: 2,
    type: 'ticket',
    level: 'board',
    isSelfSuppressedFlag: true,
  });
  expect(String(first.ours[0]!.url)).toMatch(/\?recordId=$/);
  // Another vendor's callback is never touched.
  expect(first.all.find((c) => c.id === 1)).toMatchObject({ objectId: 4 });

  await api.enableTickets({ boardId: 1, initialStatusId: 101, closingStatusId: 104 });
  const moved = await callbacksUntil((ours) => ours[0]?.objectId === 1);
  expect(moved.ours).toHaveLength(1);
  expect(moved.ours[0]!.id).toBe(first.ours[0]!.id);

  await api.setTickets({ enabled: false });
  const removed = await callbacksUntil((ours) => ours.length === 0);
  expect(removed.all.map((c) => c.id)).toEqual([1]);
}, 60_000);

test('what a technician does to the ticket in ConnectWise shows on the event within seconds', async () => {
  await api.enableTickets();
  await callbacksUntil((ours) => ours.length === 1);
  await api.post({ key: 'two-way' });
  const open = await api.waitState('two-way', 'open');
  const ticketId = open.ticketId!;
  type Row = { state: string; connectWise: null | Record<string, unknown> } & typeof open;
  const row = (e: typeof open) => e as Row;

  await suite.fx.sim.admin.technician.reassign(ticketId, 'jsmith');
  await api.waitFor('two-way', (e) =>
    JSON.stringify(row(e).connectWise?.owner ?? null).includes('jsmith'),
  );
  await suite.fx.sim.admin.technician.close(ticketId);
  const closed = row(await api.waitState('two-way', 'closed_in_connectwise'));
  expect(closed.connectWise).toMatchObject({ closed: true, closedBy: 'tmorris' });
  await suite.fx.sim.admin.technician.reopen(ticketId);
  await api.waitState('two-way', 'open');
  await suite.fx.sim.admin.state.remove('tickets', ticketId);
  await api.waitState('two-way', 'deleted_in_connectwise');

  const history = await request(suite.engine.app)
    .get(`${cwBase('p1')}/events/two-way/history`)
    .set(as(suite.engine.tokens.p1));
  expect(history.status).toBe(200);
  expect((history.body.history as { kind: string }[]).map((h) => h.kind).reverse()).toEqual([
    'changed',
    'closed',
    'reopened',
    'deleted',
  ]);

  // After a delete, the next occurrence is a new ticket.
  await api.post({ key: 'two-way' });
  const again = await api.waitFor('two-way', (e) => e.state === 'open' && e.ticketId !== ticketId);
  expect(again.ticketId).not.toBe(ticketId);
}, 90_000);

test('forged, mis-signed and duplicated deliveries change nothing', async () => {
  await api.enableTickets();
  const { ours } = await callbacksUntil((o) => o.length === 1);
  const url = new URL(String(ours[0]!.url));
  await api.post({ key: 'guarded' });
  const open = await api.waitState('guarded', 'open');
  const body = (keyUrl: string) =>
    JSON.stringify({
      MessageId: 'forged-1',
      Action: 'updated',
      Type: 'ticket',
      ID: open.ticketId,
      Metadata: { key_url: keyUrl },
    });
  const post = (path: string, payload: string, signature = 'AAAA') =>
    request(suite.engine.app)
      .post(`${path}${open.ticketId}`)
      .set('content-type', 'application/json')
      .set('x-content-signature', signature)
      .send(payload);
  const path = `${url.pathname}${url.search}`;
  // A key URL outside the integration's ConnectWise is never fetched.
  expect((await post(path, body('http://127.0.0.2:9/key'))).status).toBe(401);
  // The right key URL, a wrong signature.
  const keyUrl = `${suite.fx.sim.origin}/callback-keys/none`;
  expect((await post(path, body(keyUrl))).status).toBe(401);
  // An unknown token.
  expect(
    (
      await post(
        '/connectwise/callbacks/AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB?recordId=',
        body(keyUrl),
      )
    ).status,
  ).toBe(404);
  // Not JSON.
  expect((await post(path, 'not json')).status).toBe(400);
  expect((await api.waitState('guarded', 'open')).state).toBe('open');
  // The refused deliveries are a health issue, with the fix.
  const unverified = async (state: string) =>
    (
      await request(suite.engine.app)
        .get(`${cwBase('p1')}/health-issues?kind=callback_unverified&state=${state}`)
        .set(as(suite.engine.tokens.p1))
    ).body.issues as Array<{ message: string; fix: string; occurrences: number }>;
  const [issue] = await unverified('open');
  expect(issue).toMatchObject({
    message: expect.stringMatching(/refused: its signing key could not be fetched/),
    fix: expect.stringMatching(/saving the ticket settings registers it again/),
  });
  // Written once a minute at most, however many forged deliveries come.
  expect(issue!.occurrences).toBe(1);
  // Duplicated and mis-signed deliveries from ConnectWise itself: the ticket's state is right.
  await suite.fx.sim.admin.callbacks.fault({ kind: 'badSignature' });
  await suite.fx.sim.admin.technician.prioritise(open.ticketId!, 1);
  await suite.fx.sim.admin.callbacks.fault({ kind: 'duplicate' });
  await suite.fx.sim.admin.technician.close(open.ticketId!);
  await api.waitState('guarded', 'closed_in_connectwise');
  const deliveries = await suite.fx.sim.admin.callbacks.deliveries();
  expect(deliveries.filter((d) => d.fault === 'badSignature').map((d) => d.status)).toEqual([401]);
  expect(deliveries.filter((d) => d.fault === 'duplicate').map((d) => d.status)).toEqual([
    204, 204,
  ]);
  // ConnectWise's own, verified deliveries resolve it.
  expect(await unverified('open')).toEqual([]);
  expect(await unverified('resolved')).toHaveLength(1);
}, 60_000);

// Last: it deletes the suite's integration.
test('deleting the integration removes its callback, then drops the keys it kept for that', async () => {
  await api.enableTickets();
  const { ours } = await callbacksUntil((o) => o.length === 1);
  const tokens = async () =>
    suite.engine.db.repos.callbackTokens.forIntegration('p1', suite.integrationId);
  expect(await tokens()).toHaveLength(1);
  const res = await request(suite.engine.app)
    .delete(`${cwBase('p1')}/integration`)
    .set(as(suite.engine.tokens.p1));
  expect(res.status).toBe(204);
  const removed = await callbacksUntil((o) => o.length === 0);
  // Only ours: another vendor's callback stays.
  expect(removed.all.map((c) => c.id)).toEqual([1]);
  expect(
    (await suite.fx.sim.admin.journal.list()).filter(
      (e) => e.method === 'DELETE' && e.path.endsWith(`/system/callbacks/${ours[0]!.id}`),
    ),
  ).toHaveLength(1);
  expect(await tokens()).toEqual([]);
  let record = await suite.engine.db.repos.integrations.get('p1', suite.integrationId);
  for (let i = 0; i < 100 && record?.privateKey; i++) {
    await new Promise((r) => setTimeout(r, 100));
    record = await suite.engine.db.repos.integrations.get('p1', suite.integrationId);
  }
  expect(record).toMatchObject({ state: 'deleted' });
  expect(record?.privateKey).toBeUndefined();
}, 60_000);
