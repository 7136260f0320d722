/**
 * Records the histories the replay test (replay.test.ts) checks today's workflow code against.
 * Those recorded at release 1.0.0 are the baseline: from then on a workflow change is guarded with
 * patched() and they must go on replaying. A new scenario, or a new shape of one, is recorded
 * under a new name:
 *   npx tsx test/workflows/record-histories.ts
 * A history already recorded is kept, never overwritten.
 *
 * Two groups of scenarios, each run only when one of its histories is missing: the time-skipping
 * server's (long timers), and the billing run's on a Temporal dev server (the real CLI: the
 * time-skipping server did not run the lifecycle's child billing runs), driven through the API
 * as a partner would, with the engine's own workers.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { loadConfig } from '../../config';
import { connectDatabase, createRepositories, type Repositories } from '../../db';
import type { BillingRunResult } from '../../domain/billing/run';
import type { Keyring } from '../../security';
import { startFerretDb, startTemporalDevServer } from '../../dev/processes';
import { discardLines } from '../../dev/managed';
import { DEMO_CREDENTIALS } from '../../simulator';
import { sealPrivateKey } from '../../services/integration-client';
import { createDataConverter } from '../../temporal/data-converter';
import { createWorkers } from '../../worker/worker';
import { integrationLifecycle, testConnectionWorkflow } from '../../workflows';
import { lifecycleWorkflowId } from '../../workflows/ids';
import {
  pauseSignal,
  removeSignal,
  settingsChangedSignal,
  statusQuery,
  synchronizeSignal,
} from '../../workflows/messages';
import { randomKey, replayKeyring } from '../support/keys';
import { captureLogger } from '../support/logger';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';
import { createTimeSkippingEnv, registerSearchAttributes } from '../support/temporal';
import { recordTicket } from './record-ticket';
import { recordTicketWatch } from './record-ticket-watch';
import { recordWebhook } from './record-webhook';
import { recordWorker } from './record-worker';

const DAY = 86_400_000;
const OUT = join(__dirname, 'histories');

const recorded = (names: string[]) => names.every((n) => existsSync(join(OUT, `${n}.pb`)));

async function main(): Promise<void> {
  // First: its dispatcher reads due rows by the real clock, so it runs before any scenario has
  // moved a time-skipping server's clock ahead.
  if (recorded(['webhook-delivery'])) {
    process.stdout.write('kept the webhook scenario (already recorded)\n');
  } else {
    await recordTimeSkipping((ctx) => recordWebhook({ ...ctx, save: saver(ctx.client) }));
  }
  if (recorded(['lifecycle-pause-settings', 'test-connection-typed', 'test-connection-stored'])) {
    process.stdout.write('kept the time-skipping scenarios (already recorded)\n');
  } else {
    await recordTimeSkipping(record);
  }
  if (recorded(['ticket'])) {
    process.stdout.write('kept the ticket scenario (already recorded)\n');
  } else {
    await recordTimeSkipping((ctx) => recordTicket({ ...ctx, save: saver(ctx.client) }));
  }
  if (recorded(['ticket-two-way', 'ticket-watch'])) {
    process.stdout.write('kept the two-way ticket scenario (already recorded)\n');
  } else {
    await recordTimeSkipping((ctx) => recordTicketWatch({ ...ctx, save: saver(ctx.client) }));
  }
  if (recorded(['lifecycle-billing', 'billing-run'])) {
    process.stdout.write('kept the billing scenarios (already recorded)\n');
  } else {
    await recordBilling();
  }
}

/** What a time-skipping scenario records with. */
export interface RecordContext {
  env: TestWorkflowEnvironment;
  client: Client;
  repos: Repositories;
  fx: SimulatorFixture;
  keyring: Keyring;
  dataConverter: DataConverter;
}

async function recordTimeSkipping(scenario: (ctx: RecordContext) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'record-histories-'));
  const ferret = await startFerretDb({ dataDir, log: discardLines, ephemeral: true });
  const conn = await connectDatabase({ uri: ferret.uri });
  const repos = await createRepositories(conn);
  const fx = await startTestSimulator();
  const env = await createTimeSkippingEnv();
  await registerSearchAttributes(env);
  const keyring = replayKeyring();
  const dataConverter = createDataConverter(keyring);
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter,
  });
  try {
    await scenario({ env, client, repos, fx, keyring, dataConverter });
  } finally {
    // The test server is a child process: without teardown it would outlive a failed recording.
    await conn.close();
    await fx.sim.close();
    await env.teardown();
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Saves a workflow's history under `name` unless one is recorded already. */
export function saver(client: Client) {
  mkdirSync(OUT, { recursive: true });
  return async (name: string, workflowId: string) => {
    const file = join(OUT, `${name}.pb`);
    if (existsSync(file)) {
      process.stdout.write(`kept ${name} (already recorded)\n`);
      return;
    }
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    // Binary protobuf: exactly what the server returned, with no JSON mapping in between.
    writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
    process.stdout.write(`recorded ${name} (${history.events?.length ?? 0} events)\n`);
  };
}

async function record(ctx: RecordContext): Promise<void> {
  const { env, client, repos, fx, keyring } = ctx;
  const taskQueue = 'record';
  const worker = await recordWorker(ctx, taskQueue);

  const save = saver(client);

  await worker.runUntil(async () => {
    const { privateKey, ...creds } = fx.credentials;
    const integration = await repos.integrations.create({
      ...creds,
      partnerId: 'replay',
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, privateKey),
    });
    // Scheduled runs, a settings change, a pause with the schedule passing, resume (the missed
    // run), a Synchronize press, a run whose keys ConnectWise rejects, and removal: within a
    // week, so the lifecycle does not continue as new (its weekly rule) and one history has it all.
    const lifecycle = await client.workflow.start(integrationLifecycle, {
      taskQueue,
      workflowId: lifecycleWorkflowId(integration.id),
      args: [{ integrationId: integration.id, partnerId: 'replay', syncIntervalMs: DAY }],
    });
    await env.sleep(DAY + 60_000);
    await lifecycle.signal(settingsChangedSignal, {
      what: 'ticket_settings',
      changedAt: '2026-01-01T00:00:00.000Z',
    });
    await lifecycle.signal(pauseSignal, { paused: true, changedAt: '2026-01-02T00:00:00.000Z' });
    await env.sleep(2 * DAY);
    await lifecycle.signal(pauseSignal, { paused: false, changedAt: '2026-03-01T00:00:00.000Z' });
    await env.sleep(60_000);
    await lifecycle.signal(synchronizeSignal, {
      requestedAt: '2026-03-02T00:00:00.000Z',
      requestedBy: 'recorder',
    });
    await env.sleep(60_000);
    await fx.sim.admin.keys.rotate();
    await env.sleep(DAY);
    await lifecycle.signal(removeSignal);
    await lifecycle.result();
    await save('lifecycle-pause-settings', lifecycle.workflowId);

    const typed = await client.workflow.start(testConnectionWorkflow, {
      taskQueue,
      workflowId: 'test-connection:replay:typed',
      args: [
        {
          typed: { ...fx.credentials, privateKey: 'recorded-with-a-wrong-key' },
          answerWithinMs: 60_000,
        },
      ],
    });
    await typed.result();
    await save('test-connection-typed', typed.workflowId);

    const stored = await client.workflow.start(testConnectionWorkflow, {
      taskQueue,
      workflowId: 'test-connection:replay:stored',
      args: [
        { stored: { partnerId: 'replay', integrationId: integration.id }, answerWithinMs: 60_000 },
      ],
    });
    await stored.result();
    await save('test-connection-stored', stored.workflowId);
  });
}

/**
 * A lifecycle with billing on, on a Temporal dev server: customers mapped, agreements chosen
 * (saving them queues config_change runs), usage pushed, Synchronize (the `synchronizeRun`
 * update-with-start) → a billing run as a child workflow that creates additions, then pause and
 * removal. Records the lifecycle (lifecycle-billing) and that child run (billing-run).
 */
async function recordBilling(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'record-histories-billing-'));
  const ferret = await startFerretDb({ dataDir, log: discardLines, ephemeral: true });
  const stops: Array<() => Promise<unknown>> = [
    () => ferret.stop(),
    () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
  ];
  try {
    const server = await startTemporalDevServer({ headless: true, log: discardLines });
    stops.unshift(() => server.stop());
    const fx = await startTestSimulator();
    stops.unshift(() => fx.sim.close());
    const conn = await connectDatabase({ uri: ferret.uri });
    stops.unshift(() => conn.close());
    const repos = await createRepositories(conn);
    const [connection, nativeConnection] = await Promise.all([
      Connection.connect({ address: server.address }),
      NativeConnection.connect({ address: server.address }),
    ]);
    stops.unshift(() => Promise.all([connection.close(), nativeConnection.close()]));
    const keyring = replayKeyring();
    const config = loadConfig({
      ENCRYPTION_KEY: randomKey(),
      CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      CW_ALLOW_PRIVATE_HOSTS: 'true',
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: 'record',
      TEMPORAL_INTERACTIVE_TASK_QUEUE: 'record-interactive',
      TEMPORAL_TICKET_TASK_QUEUE: 'record-tickets',
      MONGODB_URI: ferret.uri,
    });
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: createDataConverter(keyring),
    });
    const { logger } = captureLogger();
    const workers = await createWorkers({
      config,
      connection: nativeConnection,
      keyring,
      deps: { repos, keyring, cw: config, logger },
    });
    const app = createApp({
      logger,
      checks: [],
      v1: createV1Router({ config, temporal: client, repos, keyring, logger }),
    });
    const token = (await repos.tokens.create({ kind: 'service', name: 'recorder' })).token;
    const call = async (method: 'put' | 'post', path: string, body?: object) => {
      const agent = request(app);
      const res = await agent[method](`/v1/partners/replay${path}`)
        .set({ Authorization: `Bearer ${token}` })
        .send(body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
      return res.body as Record<string, unknown>;
    };
    const save = saver(client);
    const run = workers.run();
    try {
      await recordBillingScenario(client, call, save, fx.credentials);
    } finally {
      workers.shutdown();
      await run;
    }
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

type Call = (
  method: 'put' | 'post',
  path: string,
  body?: object,
) => Promise<Record<string, unknown>>;

async function recordBillingScenario(
  client: Client,
  call: Call,
  save: (name: string, workflowId: string) => Promise<void>,
  credentials: SimulatorFixture['credentials'],
): Promise<void> {
  const cw = '/connectwise';
  const integration = (await call('post', `${cw}/integration`, credentials)) as { id: string };
  const lifecycle = client.workflow.getHandle(lifecycleWorkflowId(integration.id));
  const idle = async () => {
    for (let i = 0; i < 600; i++) {
      const status = await lifecycle.query(statusQuery);
      if (status.lifecycle !== 'syncing' && status.pendingRequests === 0) return status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the lifecycle never became idle');
  };
  await call('put', '/customers', {
    customers: [
      { customerId: 'c-acme', name: 'Acme Corp' },
      { customerId: 'c-globex', name: 'Globex' },
    ],
  });
  await call('put', '/products', {
    products: [
      { sku: 'browser-security', name: 'DefensX Browser Security', price: 4, cost: 2 },
      { sku: 'secure-dns', name: 'DefensX Secure DNS', price: 1.5, cost: 0.5 },
    ],
  });
  await call('put', `${cw}/company-mappings`, {
    mappings: [
      { customerId: 'c-acme', companyId: 250 },
      { customerId: 'c-globex', companyId: 254 },
    ],
  });
  await call('put', `${cw}/billing-settings`, {
    enabled: true,
    agreements: [
      { customerId: 'c-acme', agreementId: 300 },
      { customerId: 'c-globex', agreementId: 303 },
    ],
    catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' },
  });
  // The config_change runs those saves queued, before any usage: they create nothing.
  await idle();
  const usage = (customerId: string, lines: Array<[string, number]>) =>
    call('put', `/customers/${customerId}/usage`, {
      usage: lines.map(([sku, quantity]) => ({ sku, quantity })),
    });
  await usage('c-acme', [
    ['browser-security', 30],
    ['secure-dns', 10],
  ]);
  await usage('c-globex', [['browser-security', 5]]);
  const pressed = (await call('post', `${cw}/synchronize`)) as { runWorkflowId: string };
  let result: BillingRunResult | undefined;
  for (let i = 0; i < 600 && !result; i++) {
    try {
      result = await client.workflow.getHandle(pressed.runWorkflowId).result();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Acme's agreement has the seed's hand-made addition of the product: held for the partner
  // (go-live), while Globex's addition is created.
  if (!result?.counts.create || result.agreements.held !== 1)
    throw new Error(
      `the billing run did not create and hold as expected: ${JSON.stringify(result)}`,
    );
  await idle();
  await call('post', `${cw}/integration/pause`);
  await idle();
  await lifecycle.signal(removeSignal);
  await lifecycle.result();
  await save('billing-run', pressed.runWorkflowId);
  await save('lifecycle-billing', lifecycle.workflowId);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
