import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import type { Keyring } from '../../security';
import { sealPrivateKey } from '../../services/integration-client';
import { integrationLifecycle } from '../../workflows';
import { lifecycleWorkflowId } from '../../workflows/ids';
import {
  pauseSignal,
  removeSignal,
  settingsChangedSignal,
  statusQuery,
  synchronizeSignal,
} from '../../workflows/messages';
import type { TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';
import type { SimulatorFixture } from '../support/simulator';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';

const DAY = 24 * 60 * 60 * 1000;

let engine: TimeSkippingEngine;
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let client: Client;
let keyring: Keyring;
let fx: SimulatorFixture;
let taskQueue: string;

beforeAll(async () => {
  engine = await startTimeSkippingEngine('lifecycle');
  ({ env, db, client, keyring, fx, taskQueue } = engine);
}, 120_000);

afterAll(() => engine?.stop());

/** A saved integration against the simulator, and its lifecycle workflow. */
const start = async (
  partnerId: string,
  extra: Partial<Parameters<typeof integrationLifecycle>[0]> = {},
  sealedWith: Keyring = keyring,
) => {
  const { privateKey, ...creds } = fx.credentials;
  const { id: integrationId } = await db.repos.integrations.create({
    ...creds,
    partnerId,
    sealPrivateKey: (id) => sealPrivateKey(sealedWith, id, privateKey),
  });
  return client.workflow.start(integrationLifecycle, {
    taskQueue,
    workflowId: lifecycleWorkflowId(integrationId),
    args: [{ integrationId, partnerId, syncIntervalMs: 30 * DAY, ...extra }],
  });
};

test('runs the scheduled sync every period; 90 days pass in the test server in moments', async () => {
  const handle = await start('p-schedule');
  await env.sleep(90 * DAY + 60_000);
  const status = await handle.query(statusQuery);
  expect(status.lastRuns.map((r) => r.trigger)).toEqual(['schedule', 'schedule', 'schedule']);
  const runs = await db.repos.syncRuns.list('p-schedule', status.integrationId);
  expect(runs).toHaveLength(3);
  expect(runs.every((r) => r.workflowId === handle.workflowId && r.outcome === 'skipped')).toBe(
    true,
  );
  await handle.signal(removeSignal);
  await handle.result();
});

test('a Synchronize press is recorded in state and runs a manual sync at once', async () => {
  const handle = await start('p-manual');
  const requestedAt = '2026-11-26T10:00:00.000Z';
  await handle.signal(synchronizeSignal, { requestedAt, requestedBy: 'user-1' });
  // The query is answered only after the signal's workflow task, so poll until the run lands.
  let status = await handle.query(statusQuery);
  for (let i = 0; i < 50 && status.lastRuns.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await handle.query(statusQuery);
  }
  expect(status.synchronizeRequests).toEqual([{ requestedAt, requestedBy: 'user-1' }]);
  expect(status.lastRuns).toHaveLength(1);
  expect(status.lastRuns[0]!.trigger).toBe('manual');
  const runs = await db.repos.syncRuns.list('p-manual', status.integrationId);
  expect(runs.map((r) => r.trigger)).toEqual(['manual']);
  await handle.signal(removeSignal);
  await handle.result();
});

test('while a run with billing off is going, the status names no billing run', async () => {
  const handle = await start('p-billing-off');
  await fx.sim.admin.faults.add({ kind: 'latency', ms: 1500, path: '/system/info', count: 1 });
  await handle.signal(synchronizeSignal, { requestedAt: '2026-11-26T10:00:00.000Z' });
  let status = await handle.query(statusQuery);
  for (let i = 0; i < 50 && status.lifecycle !== 'syncing'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    status = await handle.query(statusQuery);
  }
  expect([status.lifecycle, status.currentRun]).toEqual(['syncing', null]);
  for (let i = 0; i < 100 && status.lastRuns.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = await handle.query(statusQuery);
  }
  expect(status.lastRuns[0]).toMatchObject({ summary: 'billing integration is turned off' });
  await handle.signal(removeSignal);
  await handle.result();
});

test('continues as new, carrying its history of runs and requests', async () => {
  // Daily runs, two per generation: the run count, not the week, ends each generation.
  const handle = await start('p-can', { maxRunsPerGeneration: 2, syncIntervalMs: DAY });
  await env.sleep(5 * DAY + 60_000);
  const status = await handle.query(statusQuery);
  expect(status.generation).toBe(2);
  expect(status.lastRuns).toHaveLength(5);
  const runs = await db.repos.syncRuns.list('p-can', status.integrationId);
  expect(runs).toHaveLength(5);
  expect(new Set(runs.map((r) => r.runKey)).size).toBe(5);
  const described = await handle.describe();
  expect(described.runId).not.toBe(handle.firstExecutionRunId);
  await handle.signal(removeSignal);
});

test('continues as new at least weekly, however few runs a generation had', async () => {
  const handle = await start('p-weekly', { syncIntervalMs: 3 * DAY });
  await env.sleep(18 * DAY + 60_000);
  const status = await handle.query(statusQuery);
  // Runs on days 3, 6, 9 (a week old: generation 1), 12, 15, 18 (a week old again: 2).
  expect(status.lastRuns).toHaveLength(6);
  expect(status.generation).toBe(2);
  await handle.signal(removeSignal);
});

test("reads its period from the integration's settings at every run", async () => {
  const handle = await start('p-period');
  const { integrationId } = await handle.query(statusQuery);
  const setPeriod = async (syncIntervalMinutes: number | null) => {
    await db.repos.integrations.update('p-period', integrationId, {
      billingSettings: { enabled: false, agreements: [], syncIntervalMinutes },
    });
    // A save tells the lifecycle, which runs at once (config_change) and so reads the period.
    await handle.signal(settingsChangedSignal, {
      what: 'billing_settings',
      changedAt: new Date().toISOString(),
    });
  };
  await setPeriod(2 * 24 * 60);
  await env.sleep(7 * DAY + 60_000);
  const triggers = (await handle.query(statusQuery)).lastRuns.map((r) => r.trigger);
  // The save's run, then every two days (days 2, 4, 6) instead of the input's 30.
  expect(triggers).toEqual(['config_change', 'schedule', 'schedule', 'schedule']);

  await setPeriod(null);
  await env.sleep(20 * DAY);
  // Back to the input's 30 days, counted from the last scheduled run: none within 20 days.
  const after = (await handle.query(statusQuery)).lastRuns.map((r) => r.trigger);
  expect(after).toEqual([...triggers, 'config_change']);
  await handle.signal(removeSignal);
});

test('a run for an integration that is no longer active skips without calling ConnectWise', async () => {
  const handle = await start('p-paused');
  const { integrationId } = await handle.query(statusQuery);
  await db.repos.integrations.update('p-paused', integrationId, { state: 'paused' });
  await fx.sim.admin.journal.clear();
  await env.sleep(30 * DAY + 60_000);
  const status = await handle.query(statusQuery);
  expect(status.lastRuns).toEqual([
    expect.objectContaining({ outcome: 'skipped', summary: 'the integration is paused' }),
  ]);
  expect(await fx.sim.admin.journal.list()).toEqual([]);
  await handle.signal(removeSignal);
});

test('a workflow whose integration was deleted ends at its next run, recording nothing', async () => {
  const handle = await start('p-gone');
  const { integrationId } = await handle.query(statusQuery);
  await db.repos.integrations.markDeleted('p-gone', integrationId);
  await env.sleep(30 * DAY + 60_000);
  await expect(handle.result()).resolves.toBeUndefined();
  expect(await db.repos.syncRuns.list('p-gone', integrationId)).toEqual([]);
});

test('remove ends the workflow', async () => {
  const handle = await start('p-remove');
  await handle.signal(removeSignal);
  await expect(handle.result()).resolves.toBeUndefined();
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});

test('paused, the workflow shows it, schedules nothing and calls nobody; resumed, it catches up', async () => {
  const handle = await start('p-pause');
  await handle.signal(pauseSignal, { paused: true, changedAt: '2026-01-01T00:00:00.000Z' });
  await fx.sim.admin.journal.clear();
  await env.sleep(65 * DAY);
  const paused = await handle.query(statusQuery);
  expect(paused).toMatchObject({ lifecycle: 'paused', nextRunAt: null, lastRuns: [] });
  expect(await fx.sim.admin.journal.list()).toEqual([]);

  await handle.signal(pauseSignal, { paused: false, changedAt: '2026-03-01T00:00:00.000Z' });
  await env.sleep(60_000);
  const resumed = await handle.query(statusQuery);
  expect(resumed.lifecycle).toBe('running');
  expect(resumed.nextRunAt).not.toBeNull();
  // The run missed while paused happens once, right after resuming.
  expect(resumed.lastRuns.map((r) => r.trigger)).toEqual(['schedule']);
  await handle.signal(removeSignal);
});

test('a stored key the engine cannot decrypt fails the run once, with its own message', async () => {
  const handle = await start('p-undecryptable', {}, testKeyring('other'));
  await handle.signal(synchronizeSignal, { requestedAt: '2026-01-01T00:00:00.000Z' });
  await env.sleep(10 * 60_000);
  const status = await handle.query(statusQuery);
  expect(status.lastRuns).toEqual([
    expect.objectContaining({
      outcome: 'failed',
      summary:
        "the stored private key cannot be decrypted with the engine's encryption keys; enter the private key again",
    }),
  ]);
  const { events } = await handle.fetchHistory();
  const attempts = (events ?? [])
    .map((e) => e.activityTaskStartedEventAttributes?.attempt)
    .filter((a): a is number => typeof a === 'number');
  // Only checkAccess (one attempt, never retried) and recordSyncRun ran.
  expect(attempts).toEqual([1, 1]);
  await handle.signal(removeSignal);
});
