import {
  additionWrites,
  customerId,
  startBillingStack,
  type BillingStack,
  type Usage,
} from './billing-stack';
import { sleep } from './partner-stack';
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
  await b.pushUsage(usage);
  const expectedCreates = [...usage.values()].reduce((n, l) => n + Object.keys(l).length, 0);
  await b.sim.journal.clear();
  // Every ConnectWise call takes 150 ms or more.
  await b.sim.faults.add({ kind: 'latency', ms: 150 });

  const run = await b.synchronize();
  let done = 0;
  for (let i = 0; i < 900 && done < 20; i++) {
    done = (await b.progressOf(run))?.agreementsDone ?? 0;
    if (done < 20) await sleep(100);
  }
  expect(done).toBeGreaterThanOrEqual(20);
  expect(done).toBeLessThan(CUSTOMERS);
  await b.stack.restartWorker('SIGKILL');
  // Killed part-way: some additions were written, not all.
  const writtenBeforeKill = additionWrites(await b.sim.journal.list()).length;
  expect(writtenBeforeKill).toBeGreaterThan(0);
  expect(writtenBeforeKill).toBeLessThan(expectedCreates);

  const row = await b.finished(run);
  expect(row).toMatchObject({ outcome: 'succeeded', trigger: 'manual' });
  await b.sim.faults.clear();
  await b.expectBilledAsUsage(usage);
  // The attempt after the crash re-read and adopted what was written before it: one POST each.
  const created = additionWrites(await b.sim.journal.list()).filter(
    (e) => e.method === 'POST' && e.status === 201,
  );
  expect(created.length).toBe(expectedCreates);
});
