import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import request from 'supertest';
import { testConnectionWorkflow } from '../../workflows';
import { lifecycleWorkflowId } from '../../workflows/ids';
import { statusQuery } from '../../workflows/messages';
import type { JournalEntry } from '../../simulator/journal';
import { startEngine, type Engine } from '../support/engine';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';
import { eventually } from '../support/wait';

// A slow ConnectWise, over the real dev server, worker and simulator: what a person waiting sees,
// what cancelling does to the HTTP request, and that scheduled work cannot starve Test Connection.
const ANSWER_WITHIN_S = 5;

let engine: Engine;
let fx: SimulatorFixture;
beforeAll(async () => {
  [engine, fx] = await Promise.all([
    startEngine('slow-cw', {
      TEST_CONNECTION_TIMEOUT_SECONDS: String(ANSWER_WITHIN_S),
      // One slot for scheduled work: a single slow sync fills it.
      SYNC_WORKER_MAX_ACTIVITIES: '1',
    }),
    startTestSimulator(),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([engine?.stop(), fx?.sim.close()]);
});
afterEach(async () => {
  await fx.sim.admin.reset();
});

const base = (partnerId: string) => `/v1/partners/${partnerId}/connectwise`;
const post = (partnerId: string, path: string, body?: object) =>
  request(engine.app)
    .post(`${base(partnerId)}${path}`)
    .set('Authorization', `Bearer ${engine.tokens.service}`)
    .send(body);

interface Held {
  /** Resolves when the simulator is holding a request. */
  holding(): Promise<void>;
  /** Resolves with the held request's journal entry once it ended, however it ended. */
  ended(): Promise<JournalEntry>;
}

/** Holds GET /system/info requests for `ms` (the next `count` of them). */
async function slowSystemInfo(ms: number, count = 1): Promise<Held> {
  const since = new Date().toISOString();
  const fault = await fx.sim.admin.faults.add({
    kind: 'latency',
    ms,
    method: 'GET',
    path: '/system/info',
    count,
  });
  return {
    holding: () =>
      eventually('the simulator to hold a request', async () => {
        const live = (await fx.sim.admin.faults.list()).find((f) => f.id === fault.id);
        return live && live.fired > 0 ? true : undefined;
      }).then(() => undefined),
    // Requests of earlier tests may still end meanwhile: only those that arrived since count.
    ended: () =>
      eventually('the held /system/info request to end', async () => {
        const entries = await fx.sim.admin.journal.list();
        return entries.find(
          (e) => e.template === '/system/info' && e.fault === 'latency' && e.time >= since,
        );
      }),
  };
}

test(`a ConnectWise slower than the wait answers 504 "did not answer within ${ANSWER_WITHIN_S} s"`, async () => {
  await slowSystemInfo(8_000, 10);
  const started = Date.now();
  const res = await post('p1', '/test-connection', fx.credentials);
  expect(res.status).toBe(504);
  expect(res.body.error).toEqual({
    code: 'connectwise_timeout',
    message: `ConnectWise did not answer within ${ANSWER_WITHIN_S} s; try again in a minute`,
  });
  // Within the person's wait, not after the workflow's own timeout.
  expect(Date.now() - started).toBeLessThan((ANSWER_WITHIN_S + 10) * 1000);
}, 60_000);

test('cancelling Test Connection while ConnectWise is slow aborts the HTTP request', async () => {
  const held = await slowSystemInfo(15_000);
  const handle = await engine.client.workflow.start(testConnectionWorkflow, {
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    workflowId: 'slow-cw-cancel',
    args: [
      {
        typed: fx.credentials,
        answerWithinMs: 60_000,
        activityTaskQueue: engine.config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
      },
    ],
  });
  await held.holding();
  const cancelledAt = Date.now();
  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  // The activity learns of the cancellation at its next heartbeat and aborts the request: the
  // simulator sees the client hang up (no response), before its 15 s delay is over.
  const entry = await held.ended();
  expect(entry.status).toBe(0);
  expect(entry.durationMs).toBeLessThan(15_000);
  expect(Date.now() - cancelledAt).toBeLessThan(14_000);
}, 60_000);

test('Test Connection completes while every activity slot of scheduled work is taken', async () => {
  const created = await post('p2', '/integration', fx.credentials);
  expect(created.status).toBe(201);
  const held = await slowSystemInfo(8_000);
  expect((await post('p2', '/synchronize')).status).toBe(202);
  await held.holding(); // the lifecycle's checkAccess now fills the only sync slot

  const started = Date.now();
  const res = await post('p2', '/test-connection', fx.credentials);
  expect(res.status).toBe(200);
  expect(res.body.ok).toBe(true);
  expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_S * 1000);
  await held.ended();
}, 60_000);

test('cancelling the lifecycle during a run stops it without recording a failed run', async () => {
  const created = await post('p3', '/integration', fx.credentials);
  expect(created.status).toBe(201);
  const held = await slowSystemInfo(8_000);
  expect((await post('p3', '/synchronize')).status).toBe(202);
  await held.holding();
  const handle = engine.client.workflow.getHandle(lifecycleWorkflowId(created.body.id as string));
  await handle.cancel();
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  const status = await handle.query(statusQuery);
  expect(status.lastRuns).toEqual([]);
  expect(await engine.db.repos.syncRuns.list('p3', created.body.id as string)).toEqual([]);
}, 60_000);
