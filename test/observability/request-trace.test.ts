import { randomBytes } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { startTracing, type StopTracing } from '../../observability/tracing';
import { createKeyring } from '../../security/keyring';
import { createWorkers, type EngineWorkers } from '../../worker/worker';
import { simulatorActivityDeps } from '../support/activity-deps';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { randomKey } from '../support/keys';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { shared } from '../support/shared-env';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';

/**
 * One trace from an API request to ConnectWise, across processes as in production: the API in a
 * process of its own (api/main.ts) and the engine's workers in this one, both tracing to one
 * stand-in collector, over the run's Temporal dev server. Test Connection's request (the API's
 * server span), the workflow start (Temporal's client interceptor), the workflow's run, its
 * activity and the activity's ConnectWise calls (the worker's) share one trace id, each span under
 * the one before.
 */
let receiver: OtlpReceiver;
let stopTracing: StopTracing;
let db: TestDatabase;
let fx: SimulatorFixture;
let api: ApiProcess;
let workers: EngineWorkers;
let running: Promise<void>;
let serviceToken: string;
const OTEL = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY'];
const saved = Object.fromEntries(OTEL.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  [receiver, db, fx] = await Promise.all([
    startOtlpReceiver(),
    openTestDatabase('request-trace'),
    startTestSimulator(),
  ]);
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  Object.assign(process.env, otel);
  stopTracing = startTracing('cw-engine-worker');

  const [address, bundle] = await Promise.all([shared('temporal'), shared('workflowBundle')]);
  const taskQueue = `tq-request-trace-${randomBytes(4).toString('hex')}`;
  const queues = {
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_INTERACTIVE_TASK_QUEUE: `${taskQueue}-interactive`,
    TEMPORAL_TICKET_TASK_QUEUE: `${taskQueue}-tickets`,
  };
  // One key for both processes: the API encrypts what the worker decrypts.
  const key = { id: 'trace', key: randomKey() };
  const keyring = createKeyring(key);
  serviceToken = (await db.repos.tokens.create({ kind: 'service', name: 'portal' })).token;
  [api, workers] = await Promise.all([
    startApiProcess({
      MONGODB_URI: db.uri,
      ENCRYPTION_KEY: key.key,
      ENCRYPTION_KEY_ID: key.id,
      TEMPORAL_ADDRESS: address,
      ...queues,
      ...otel,
    }),
    createWorkers({
      config: {
        ...queues,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: 'default',
        SYNC_WORKER_MAX_ACTIVITIES: 2,
        INTERACTIVE_WORKER_MAX_ACTIVITIES: 2,
        TICKET_WORKER_MAX_ACTIVITIES: 2,
        WORKER_MAX_CACHED_WORKFLOWS: 10,
      },
      connection: await NativeConnection.connect({ address }),
      keyring,
      // The run's plain bundle: tracing on, the worker bundles the traced one itself.
      workflowBundlePath: bundle,
      deps: simulatorActivityDeps(db.repos, keyring),
    }),
  ]);
  running = workers.run();
}, 120_000);

afterAll(async () => {
  workers?.shutdown();
  await running;
  await api?.stop();
  await stopTracing?.();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all([db?.close(), fx?.sim.close(), receiver?.close()]);
});

test('a Test Connection request, its workflow, activity and ConnectWise calls are one trace', async () => {
  const res = await fetch(`${api.url}/v1/partners/p1/connectwise/test-connection`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(fx.credentials),
  });
  expect([res.status, api.output()]).toEqual([200, expect.any(String)]);
  // The API's spans leave when it stops (or within OTEL_BSP_SCHEDULE_DELAY).
  await api.stop('SIGTERM');

  const chain = [
    ['cw-engine-api', 'POST /v1/partners/:partnerId/connectwise/test-connection'],
    ['cw-engine-api', 'StartWorkflow:testConnectionWorkflow'],
    ['cw-engine-worker', 'RunWorkflow:testConnectionWorkflow'],
    ['cw-engine-worker', 'StartActivity:testConnection'],
    ['cw-engine-worker', 'RunActivity:testConnection'],
  ] as const;
  const named = (name: string) => receiver.spans.find((s) => s.name === name);
  // This process traces too: its fetch is a client span, whose context the API continued.
  const callerOf = (id: string | undefined) => receiver.spans.find((s) => s.spanId === id);
  await receiver.waitFor(
    () => chain.every(([, name]) => named(name)) && !!callerOf(named(chain[0][1])?.parentSpanId),
  );
  const spans = chain.map(([, name]) => named(name)!);
  expect(spans.map((s) => [s.service, s.name])).toEqual(chain.map((link) => [...link]));
  expect(spans[0]!.kind).toBe(2); // the server span
  const caller = callerOf(spans[0]!.parentSpanId)!;
  expect([caller.kind, caller.name, caller.traceId]).toEqual([3, 'POST', spans[0]!.traceId]);
  for (const [i, span] of spans.entries()) {
    expect([span.name, span.traceId]).toEqual([span.name, spans[0]!.traceId]);
    if (i > 0) expect([span.name, span.parentSpanId]).toEqual([span.name, spans[i - 1]!.spanId]);
  }
  const activity = spans[spans.length - 1]!;
  const calls = receiver.spans.filter((s) => s.parentSpanId === activity.spanId);
  expect(calls.length).toBeGreaterThan(0);
  // Neither the typed key nor the bearer token is in any span.
  const exported = receiver.bodies.join('\n');
  for (const secret of [fx.credentials.privateKey, serviceToken])
    expect(exported).not.toContain(secret);
}, 60_000);
