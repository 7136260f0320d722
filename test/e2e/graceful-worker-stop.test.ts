import {
  customerId,
  expectEachAdditionOnce,
  runPartway,
  startBillingStack,
  writtenPartway,
  type BillingStack,
  type Usage,
} from './billing-stack';
import { STACK_SLOT_WAIT_MS } from '../support/stack-slot';

/**
 * The worker process is stopped with SIGTERM (a deploy, a scale-in) in the middle of a billing run
 * (issue 20). It takes no new task, gives the activities it runs SHUTDOWN_GRACE_SECONDS (2 s here,
 * shorter than the batches in flight need), then cancels them: the heartbeating batches see the
 * cancellation and their attempts are reported failed at once. The next worker retries them
 * without waiting out the heartbeat timeout a crash needs (a minute: billing-crash.test.ts), and
 * the run ends with each addition written once, as the usage says.
 */
jest.setTimeout(200_000);

const CUSTOMERS = 40;
const GRACE_SECONDS = 2;
let b: BillingStack;
beforeAll(async () => {
  b = await startBillingStack(
    CUSTOMERS,
    { concurrency: 2 },
    { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) },
  );
}, 180_000 + STACK_SLOT_WAIT_MS);
afterAll(() => b?.stop());

test('SIGTERM mid-run: the batches in flight are cancelled within the grace and retried at once; every addition once', async () => {
  const usage: Usage = new Map(
    b.indexes.map((i) => [
      customerId(i),
      i % 2 === 0 ? { 'e2e-browser': 20 + i } : { 'e2e-browser': 20 + i, 'e2e-dns': 3 + (i % 5) },
    ]),
  );
  // Two calls at a time of 250 ms each: the run takes far longer than the grace.
  const { run, expectedCreates } = await runPartway(b, usage, { latencyMs: 250, done: 8 });
  const signalled = Date.now();
  // Resolves once the old worker has exited and the new one polls.
  await b.stack.restartWorker('SIGTERM');
  await writtenPartway(b, expectedCreates);

  const row = await b.finished(run);
  expect(row).toMatchObject({ outcome: 'succeeded', trigger: 'manual' });
  // Well under the minute a crashed worker's batches wait for their heartbeat timeout.
  expect(Date.now() - signalled).toBeLessThan(45_000);
  await expectEachAdditionOnce(b, usage, expectedCreates);
});
