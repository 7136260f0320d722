import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemo, type Cw } from './helpers';

/**
 * The simulator's callbacks (docs/connectwise.md §7b): registration through `/system/callbacks`, signed
 * deliveries when a ticket on a watched board changes, self-suppression of the API member's own
 * edits, the key URL, and faults on deliveries. A plain receiver checks each signature itself.
 */
interface Received {
  path: string;
  body: string;
  signature: string;
}

let cw: Cw;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];

beforeAll(async () => {
  cw = await startDemo();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-content-signature'] ?? ''),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await cw.sim.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(async () => {
  await cw.sim.admin.reset();
  received = [];
});

/** Whether the body is signed with the key its own key URL serves (HMAC keyed by its SHA-256). */
async function signedByKeyUrl(r: Received): Promise<boolean> {
  const payload = JSON.parse(r.body) as { Metadata: { key_url: string } };
  const res = await fetch(payload.Metadata.key_url);
  const { signing_key } = (await res.json()) as { signing_key: string };
  const key = createHash('sha256').update(signing_key).digest();
  return createHmac('sha256', key).update(r.body).digest('base64') === r.signature;
}

const register = (over: Record<string, unknown> = {}) =>
  cw.send<{ id: number; memberId: number }>('POST', '/system/callbacks', {
    url: `${receiverUrl}/cb/token?recordId=`,
    objectId: 2,
    type: 'ticket',
    level: 'board',
    description: 'test receiver',
    ...over,
  });

const newTicket = async (boardId = 2) =>
  (
    await cw.send<{ id: number }>('POST', '/service/tickets', {
      summary: 'callback test',
      board: { id: boardId },
      company: { id: 250 },
    })
  ).body;

test('a callback is registered, listed, moved and deleted through the contract', async () => {
  const created = await register();
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ objectId: 2, isSelfSuppressedFlag: false });
  const listed = await cw.get<{ id: number; url: string }[]>('/system/callbacks');
  // The demo tenant has another vendor's callback (id 1) too.
  expect(listed.body.map((c) => c.id)).toEqual([1, created.body.id]);
  const moved = await cw.send('PATCH', `/system/callbacks/${created.body.id}`, [
    { op: 'replace', path: 'objectId', value: 3 },
  ]);
  expect(moved.body).toMatchObject({ objectId: 3 });
  expect(await cw.sim.admin.state.callbacks()).toHaveLength(2);
  expect((await cw.send('DELETE', `/system/callbacks/${created.body.id}`)).status).toBe(204);
  expect((await cw.sim.admin.state.callbacks()).map((c) => c.id)).toEqual([1]);
  const bad = await register({ url: 'not a url', level: 'galaxy' });
  expect(bad.status).toBe(400);
});

test('a technician edit on the watched board is delivered, signed, with the record id appended', async () => {
  await register();
  const ticket = await newTicket();
  await cw.sim.admin.callbacks.deliveries();
  received = [];
  await cw.sim.admin.technician.close(ticket.id);
  const deliveries = await cw.sim.admin.callbacks.deliveries();
  expect(deliveries.at(-1)).toMatchObject({ action: 'updated', recordId: ticket.id, status: 200 });
  expect(received).toHaveLength(1);
  const [r] = received;
  expect(r!.path).toBe(`/cb/token?recordId=${ticket.id}`);
  expect(await signedByKeyUrl(r!)).toBe(true);
  const payload = JSON.parse(r!.body) as Record<string, unknown>;
  expect(payload).toMatchObject({
    Action: 'updated',
    Type: 'ticket',
    ID: ticket.id,
    MemberId: 'tmorris',
  });
  const entity = JSON.parse(payload.Entity as string) as { closedFlag: boolean; closedBy: string };
  expect(entity).toMatchObject({ closedFlag: true, closedBy: 'tmorris' });
});

test("the API member's own edits are not delivered when self-suppressed; another board's never", async () => {
  await register({ isSelfSuppressedFlag: true });
  const ticket = await newTicket();
  await cw.send('PATCH', `/service/tickets/${ticket.id}`, [
    { op: 'replace', path: 'summary', value: 'renamed by the API member' },
  ]);
  const elsewhere = await newTicket(1);
  await cw.sim.admin.technician.close(elsewhere.id);
  expect(await cw.sim.admin.callbacks.deliveries()).toEqual([]);
  await cw.sim.admin.technician.reassign(ticket.id, 'jsmith');
  await cw.sim.admin.state.remove('tickets', ticket.id);
  const deliveries = await cw.sim.admin.callbacks.deliveries();
  expect(deliveries.map((d) => d.action)).toEqual(['updated', 'deleted']);
  expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ Action: 'deleted', Entity: null });
});

test('faults drop, duplicate, delay and mis-sign deliveries', async () => {
  await register();
  const ticket = await newTicket();
  await cw.sim.admin.callbacks.deliveries();
  received = [];
  await cw.sim.admin.callbacks.fault({ kind: 'drop' });
  await cw.sim.admin.callbacks.fault({ kind: 'duplicate' });
  await cw.sim.admin.callbacks.fault({ kind: 'badSignature' });
  await cw.sim.admin.callbacks.fault({ kind: 'delay', delayMs: 300 });
  for (const priorityId of [1, 2, 3, 4, 1])
    await cw.sim.admin.technician.prioritise(ticket.id, priorityId);
  const deliveries = (await cw.sim.admin.callbacks.deliveries()).slice(-6);
  expect(deliveries.filter((d) => d.fault === 'drop')).toHaveLength(1);
  // Sent twice with one message id; the delayed one arrives after the next.
  expect(received).toHaveLength(5);
  const ids = received.map((r) => (JSON.parse(r.body) as { MessageId: string }).MessageId);
  expect(new Set(ids).size).toBe(4);
  const signed = await Promise.all(received.map(signedByKeyUrl));
  expect(signed.filter((ok) => !ok)).toHaveLength(1);
  const order = received.map((r) => (JSON.parse(r.body) as { Entity: string }).Entity);
  const priorities = order.map((e) => (JSON.parse(e) as { priority: { id: number } }).priority.id);
  expect(priorities.at(-1)).toBe(4);
});

test('a rotated key keeps serving the old key URL', async () => {
  await register();
  const ticket = await newTicket();
  await cw.sim.admin.callbacks.deliveries();
  const before = received.at(-1)!;
  await cw.sim.admin.callbacks.rotateKey();
  await cw.sim.admin.technician.close(ticket.id);
  await cw.sim.admin.callbacks.deliveries();
  const after = received.at(-1)!;
  const keyUrl = (r: Received) =>
    (JSON.parse(r.body) as { Metadata: { key_url: string } }).Metadata.key_url;
  expect(keyUrl(after)).not.toBe(keyUrl(before));
  expect(await signedByKeyUrl(before)).toBe(true);
  expect(await signedByKeyUrl(after)).toBe(true);
});
