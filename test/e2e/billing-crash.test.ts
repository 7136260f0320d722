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
 * The worker process dies (SIGKILL, no graceful shutdown) in the middle of a billing run over 45
 * customers and starts again: the run finishes with ConnectWise holding exactly what the usage
 * says, each addition written once. The retry after the crash waits for the activity's heartbeat
 * timeout (a minute), so this file takes about two.
 */
jest.setTimeout(200_000);

const CUSTOMERS = 45;
let b: BillingStack;
beforeAll(async () => {
  // Two ConnectWise calls at a time, each slowed down below: the run lasts long enough to be
  // killed half-way.
  b = await startBillingStack(CUSTOMERS, { concurrency: 2 });
}, 180_000 + STACK_SLOT_WAIT_MS);
afterAll(() => b?.stop());

test('a worker killed with SIGKILL mid-run and restarted: every addition once, as the usage says', async () => {
  const usage: Usage = new Map(
    b.indexes.map((i) => [
      customerId(i),
      i % 3 === 0 ? { 'e2e-browser': 10 + i } : { 'e2e-browser': 10 + i, 'e2e-dns': 5 + (i % 7) },
    ]),
  );
  // Every ConnectWise call takes 150 ms or more: killed after 20 agreements.
  const { run, expectedCreates } = await runPartway(b, usage, { latencyMs: 150, done: 20 });
  await b.stack.restartWorker('SIGKILL');
  await writtenPartway(b, expectedCreates);

  const row = await b.finished(run);
  expect(row).toMatchObject({ outcome: 'succeeded', trigger: 'manual' });
  // The attempt after the crash re-read and adopted what was written before it: one POST each.
  await expectEachAdditionOnce(b, usage, expectedCreates);
});
