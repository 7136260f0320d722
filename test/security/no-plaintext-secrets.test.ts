import { temporal } from '@temporalio/proto';
import request from 'supertest';
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

const contains = (haystack: Buffer | string, needle: string) =>
  (typeof haystack === 'string' ? Buffer.from(haystack) : haystack).includes(Buffer.from(needle));

test('after a full setup, the private key is nowhere in plain text: database, logs, API responses, Temporal histories', async () => {
  const { privateKey, publicKey, companyId } = fx.credentials;
  const basicAuth = Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64');
  const secrets = [privateKey, basicAuth];
  const auth = { Authorization: `Bearer ${engine.tokens.p1}` };
  const base = '/v1/partners/p1/connectwise';
  const responses: string[] = [];
  const keep = (res: request.Response) => {
    responses.push(
      JSON.stringify({ headers: res.headers, body: res.body as unknown, text: res.text }),
    );
    return res;
  };

  // A full setup: test, create, vendor data, status, synchronize, a failing key change, history.
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
      .send({ privateKey: `${privateKey}x` }),
  );
  keep(await request(engine.app).post(`${base}/integration/validate`).set(auth));
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

  // Temporal: every workflow's raw history, as the server stores it (search attributes included).
  const histories: Buffer[] = [];
  const codec = new EncryptionCodec(engine.keyring);
  let decodedInputs = '';
  for await (const wf of engine.client.workflow.list()) {
    const history = await engine.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    histories.push(Buffer.from(temporal.api.history.v1.History.encode(history).finish()));
    const started =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    decodedInputs += (await codec.decode(started))
      .map((p) => Buffer.from(p.data ?? []).toString())
      .join();
  }
  expect(histories.length).toBeGreaterThanOrEqual(3);

  for (const secret of secrets) {
    expect(contains(dump, secret)).toBe(false);
    expect(engine.logLines.some((l) => contains(l, secret))).toBe(false);
    expect(responses.some((r) => contains(r, secret))).toBe(false);
    expect(histories.some((h) => contains(h, secret))).toBe(false);
  }
  // Control: the key did travel through Temporal (Test Connection's input), only as ciphertext.
  expect(contains(decodedInputs, privateKey)).toBe(true);
  expect(engine.logLines.length).toBeGreaterThan(0);
}, 60_000);
