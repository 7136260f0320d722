import { temporal } from '@temporalio/proto';
import request from 'supertest';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../security';
import { startEngine, type Engine } from '../support/engine';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';

let engine: Engine;
let fx: SimulatorFixture;
beforeAll(async () => {
  [engine, fx] = await Promise.all([startEngine('secrets'), startTestSimulator()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([engine?.stop(), fx?.sim.close()]);
});

/** Every Payload message anywhere in a history (inputs, results, signals, failures, markers). */
function payloadsIn(node: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(node)) {
    for (const item of node) payloadsIn(item, found);
  } else if (node && typeof node === 'object' && !ArrayBuffer.isView(node)) {
    const record = node as Record<string, unknown>;
    if (record.metadata && ArrayBuffer.isView(record.data)) found.push(record);
    else for (const value of Object.values(record)) payloadsIn(value, found);
  }
  return found;
}

const decodeAll = async (codec: EncryptionCodec, payloads: Payload[]) =>
  (await codec.decode(payloads)).map((p) => Buffer.from(p.data ?? []).toString()).join('\n');

const contains = (haystack: Buffer | string, needle: string) =>
  (typeof haystack === 'string' ? Buffer.from(haystack) : haystack).includes(Buffer.from(needle));

test('after a full setup, the private key is nowhere in plain text: database, logs, API responses, Temporal histories', async () => {
  const { privateKey, publicKey, companyId } = fx.credentials;
  const basicAuth = (pub: string, key: string) =>
    Buffer.from(`${companyId}+${pub}:${key}`).toString('base64');
  const secrets = [privateKey, basicAuth(publicKey, privateKey)];
  const auth = { Authorization: `Bearer ${engine.tokens.p1}` };
  const base = '/v1/partners/p1/connectwise';
  const responses: string[] = [];
  const keep = (res: request.Response) => {
    responses.push(
      JSON.stringify({ headers: res.headers, body: res.body as unknown, text: res.text }),
    );
    return res;
  };

  // A full setup: test, create, vendor data, status, synchronize, a failing key change,
  // re-validation, new keys, history.
  expect(
    keep(await request(engine.app).post(`${base}/test-connection`).set(auth).send(fx.credentials))
      .body.ok,
  ).toBe(true);
  expect(
    keep(await request(engine.app).post(`${base}/integration`).set(auth).send(fx.credentials))
      .status,
  ).toBe(201);
  keep(
    await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(auth)
      .send({ customers: [{ customerId: 'c1', name: 'Acme' }] }),
  );
  keep(await request(engine.app).get(`${base}/integration`).set(auth));
  keep(await request(engine.app).post(`${base}/synchronize`).set(auth));
  keep(
    await request(engine.app)
      .patch(`${base}/integration`)
      .set(auth)
      .send({ privateKey: 'not-the-private-key' }),
  );
  expect(
    keep(await request(engine.app).post(`${base}/integration/validate`).set(auth)).status,
  ).toBe(200);
  const rotated = await fx.sim.admin.keys.rotate();
  secrets.push(rotated.privateKey, basicAuth(rotated.publicKey, rotated.privateKey));
  const newKeys = { publicKey: rotated.publicKey, privateKey: rotated.privateKey };
  expect(
    keep(await request(engine.app).patch(`${base}/integration`).set(auth).send(newKeys)).status,
  ).toBe(200);
  expect(
    keep(await request(engine.app).post(`${base}/integration/validate`).set(auth)).status,
  ).toBe(200);
  let status = keep(await request(engine.app).get(`${base}/status`).set(auth));
  for (let i = 0; i < 50 && status.body.workflow.lastRuns.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = keep(await request(engine.app).get(`${base}/status`).set(auth));
  }
  keep(await request(engine.app).get(`${base}/sync-runs`).set(auth));

  // Database: every document of every collection.
  const db = engine.db.conn.db!;
  const collections = await db.listCollections().toArray();
  expect(collections.map((c) => c.name)).toContain('integrations');
  let dump = '';
  for (const { name } of collections) {
    dump += JSON.stringify(await db.collection(name).find({}).toArray());
  }

  // Temporal: the raw history of every workflow of this engine (the run shares the server), as the
  // server stores it (search attributes included), and every payload in it decrypted through the
  // codec, as anyone able to decode would see it.
  const histories: Buffer[] = [];
  const codec = new EncryptionCodec(engine.keyring);
  const decoded: Array<{ input: string; everything: string }> = [];
  for await (const wf of engine.client.workflow.list({ query: engine.workflowsQuery })) {
    const history = await engine.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    histories.push(Buffer.from(temporal.api.history.v1.History.encode(history).finish()));
    const started =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    decoded.push({
      input: await decodeAll(codec, started),
      everything: await decodeAll(codec, payloadsIn(history)),
    });
  }
  expect(histories.length).toBeGreaterThanOrEqual(3);

  for (const secret of secrets) {
    expect(contains(dump, secret)).toBe(false);
    expect(engine.logLines.some((l) => contains(l, secret))).toBe(false);
    expect(responses.some((r) => contains(r, secret))).toBe(false);
    expect(histories.some((h) => contains(h, secret))).toBe(false);
  }
  // Decrypted, a key shows only in Test Connections of keys typed and not yet stored (before
  // create, create, the new keys). Re-validation and the lifecycle pass ids: no key at all.
  const carrying = (key: string) =>
    decoded.filter((d) => contains(d.everything, key)).map((d) => JSON.parse(d.input) as object);
  expect(carrying(privateKey)).toEqual([
    expect.objectContaining({ typed: fx.credentials }),
    expect.objectContaining({ typed: fx.credentials }),
  ]);
  expect(carrying(rotated.privateKey)).toEqual([
    expect.objectContaining({ typed: { ...fx.credentials, ...newKeys } }),
  ]);
  const stored = decoded.filter((d) => d.input.includes('"stored"'));
  expect(stored).toHaveLength(2);
  for (const d of decoded.filter((w) => !w.input.includes('"typed"'))) {
    for (const secret of secrets) expect(contains(d.everything, secret)).toBe(false);
  }
  expect(engine.logLines.length).toBeGreaterThan(0);
}, 60_000);
