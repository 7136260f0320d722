/**
 * Records the histories the replay test (replay.test.ts) checks today's workflow code against.
 * Run it when a workflow changes shape (and guard the change with patched() if workflows of the
 * old shape may still be running):
 *   npx tsx test/workflows/record-histories.ts
 * A history already recorded is kept, never overwritten: old shapes must go on replaying. Give a
 * new scenario a new name. lifecycle.pb and test-connection.pb were recorded before Test
 * Connection took ids and pause reached the lifecycle.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { connectDatabase, createRepositories, type Repositories } from '../../db';
import type { Keyring } from '../../security';
import { startFerretDb } from '../../dev/processes';
import { discardLines } from '../../dev/managed';
import { sealPrivateKey } from '../../services/integration-client';
import { createDataConverter } from '../../temporal/data-converter';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { integrationLifecycle, testConnectionWorkflow } from '../../workflows';
import { lifecycleWorkflowId } from '../../workflows/ids';
import {
  pauseSignal,
  removeSignal,
  settingsChangedSignal,
  synchronizeSignal,
} from '../../workflows/messages';
import { replayKeyring } from '../support/keys';
import { simulatorActivityDeps } from '../support/activity-deps';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';
import { createTimeSkippingEnv } from '../support/temporal';

const DAY = 86_400_000;
const OUT = join(__dirname, 'histories');

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'record-histories-'));
  const ferret = await startFerretDb({ dataDir, log: discardLines });
  const conn = await connectDatabase({ uri: ferret.uri });
  const repos = await createRepositories(conn);
  const fx = await startTestSimulator();
  const env = await createTimeSkippingEnv();
  const keyring = replayKeyring();
  const dataConverter = createDataConverter(keyring);
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter,
  });
  try {
    await record(env, client, repos, fx, keyring, dataConverter);
  } finally {
    // The test server is a child process: without teardown it would outlive a failed recording.
    await conn.close();
    await fx.sim.close();
    await env.teardown();
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function record(
  env: TestWorkflowEnvironment,
  client: Client,
  repos: Repositories,
  fx: SimulatorFixture,
  keyring: Keyring,
  dataConverter: DataConverter,
): Promise<void> {
  const taskQueue = 'record';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    dataConverter,
    activities: createActivities(simulatorActivityDeps(repos, keyring)),
  });
  mkdirSync(OUT, { recursive: true });
  const save = async (name: string, workflowId: string) => {
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

  await worker.runUntil(async () => {
    const { privateKey, ...creds } = fx.credentials;
    const integration = await repos.integrations.create({
      ...creds,
      partnerId: 'replay',
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, privateKey),
    });
    // Scheduled runs, a settings change, a pause with the schedule passing, resume (the missed
    // run), a Synchronize press, a run whose keys ConnectWise rejects, and removal.
    const lifecycle = await client.workflow.start(integrationLifecycle, {
      taskQueue,
      workflowId: lifecycleWorkflowId(integration.id),
      args: [{ integrationId: integration.id, partnerId: 'replay', syncIntervalMs: 30 * DAY }],
    });
    await env.sleep(30 * DAY + 60_000);
    await lifecycle.signal(settingsChangedSignal, {
      what: 'ticket_settings',
      changedAt: '2026-01-01T00:00:00.000Z',
    });
    await lifecycle.signal(pauseSignal, { paused: true, changedAt: '2026-01-02T00:00:00.000Z' });
    await env.sleep(60 * DAY);
    await lifecycle.signal(pauseSignal, { paused: false, changedAt: '2026-03-01T00:00:00.000Z' });
    await env.sleep(60_000);
    await lifecycle.signal(synchronizeSignal, {
      requestedAt: '2026-03-02T00:00:00.000Z',
      requestedBy: 'recorder',
    });
    await env.sleep(60_000);
    await fx.sim.admin.keys.rotate();
    await env.sleep(30 * DAY);
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

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
