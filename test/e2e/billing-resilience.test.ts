import type { FaultRuleInput } from '../../simulator';
import {
  additionWrites,
  agreementOf,
  customerId,
  startBillingStack,
  type BillingStack,
  type Sku,
  type Usage,
} from './billing-stack';
import { STACK_SLOT_WAIT_MS } from '../support/stack-slot';

/**
 * Billing over the real local stack when ConnectWise misbehaves: 30% of billing calls failing
 * (429 and 5xx, some after the write was committed), and an agreement made one-time after the
 * partner chose it. Ten customers, each with an agreement of its own, billed once before each test.
 */
jest.setTimeout(150_000);

const CUSTOMERS = 10;
let b: BillingStack;
beforeAll(async () => {
  b = await startBillingStack(CUSTOMERS, { concurrency: 4 });
  const usage: Usage = new Map(
    b.indexes.map((i) => [
      customerId(i),
      i % 3 === 0 ? { 'e2e-browser': 10 + i } : { 'e2e-browser': 10 + i, 'e2e-dns': 5 + i },
    ]),
  );
  await b.pushUsage(usage);
  expect((await b.finished(await b.synchronize())).outcome).toBe('succeeded');
  await b.expectBilledAsUsage(usage);
}, 150_000 + STACK_SLOT_WAIT_MS);
afterAll(() => b?.stop());

test('ConnectWise failing 30% of billing calls (429, 5xx, some after committing): the additions converge', async () => {
  // Every customer changes: quantities up, dns dropped by some, dlp added for others.
  const usage: Usage = new Map(
    b.indexes.map((i) => {
      const lines: Partial<Record<Sku, number>> = { 'e2e-browser': 20 + i };
      if (i % 3 === 1) lines['e2e-dns'] = 6 + i;
      if (i % 2 === 0) lines['e2e-dlp'] = 3 + i;
      return [customerId(i), lines];
    }),
  );
  await b.pushUsage(usage);
  await b.sim.journal.clear();
  const rules: FaultRuleInput[] = [
    { kind: 'serverError', status: 503, afterCommit: true, method: 'POST', probability: 0.3 },
    { kind: 'serverError', status: 500, afterCommit: true, method: 'PATCH', probability: 0.3 },
    { kind: 'rateLimit', retryAfterSeconds: 1, method: 'GET', probability: 0.15 },
    // 0.85 × 0.18 ≈ 0.15 more: 30% of reads fail.
    { kind: 'serverError', status: 502, method: 'GET', probability: 0.18 },
  ];
  // Each kind fires once for sure (the simulator applies the first live rule, and a counted rule
  // is used up), then at random: a run cannot miss a kind by chance.
  const once = rules.map(({ probability: _random, ...rule }) => ({ ...rule, count: 1 }));
  for (const rule of [...once, ...rules])
    await b.sim.faults.add({ ...rule, pathPattern: '^/finance/agreements' });

  const first = await b.finished(await b.synchronize());
  const fired = (await b.sim.faults.list()).map((f) => f.fired);
  await b.sim.faults.clear();
  // Every kind of failure happened, writes among them.
  expect(fired.slice(0, once.length)).toEqual(once.map(() => 1));
  const faulted = additionWrites(await b.sim.journal.list()).filter((e) => e.fault);
  expect(faulted.length).toBeGreaterThan(0);
  if (first.outcome !== 'succeeded') {
    // An agreement whose batch ran out of retries converges on the next run.
    expect((await b.finished(await b.synchronize())).outcome).toBe('succeeded');
  }
  await b.expectBilledAsUsage(usage);
});

test('an agreement made one-time after it was chosen: its customer is skipped with the reason, nothing written to it', async () => {
  const target = 5;
  const agreementId = agreementOf(target);
  // In ConnectWise the MSP makes the chosen agreement a one-time agreement.
  const agreement = (await b.sim.state.agreements()).find((a) => a.id === agreementId)!;
  await b.sim.state.put('agreements', { ...agreement, oneTimeFlag: true });
  const before = await b.sim.state.additions(agreementId);
  expect(before.length).toBeGreaterThan(0);
  const usage: Usage = new Map([
    [customerId(target), { 'e2e-browser': 99, 'e2e-dlp': 9 }],
    [customerId(target + 1), { 'e2e-browser': 77 }],
  ]);
  await b.pushUsage(usage);
  await b.sim.journal.clear();

  const row = await b.finished(await b.synchronize());
  expect(row.outcome).toBe('partial');
  expect(row.summary).toMatch(/1 skipped/);
  expect(row.counts).toMatchObject({ agreements: { skipped: 1 } });
  // The run's detail names the customer, the agreement and why.
  const detail = await b.call('GET', `/connectwise/sync-runs/${row.id as string}`);
  const skipped = (detail.results as Array<Record<string, unknown>>).filter(
    (r) => r.outcome === 'skipped',
  );
  expect(skipped).toEqual([
    expect.objectContaining({
      customerId: customerId(target),
      agreementId,
      reason: expect.stringMatching(/one-time agreement/),
    }),
  ]);

  const journal = await b.sim.journal.list();
  expect(additionWrites(journal, agreementId)).toEqual([]);
  expect(await b.sim.state.additions(agreementId)).toEqual(before);
  // The neighbour's change went through in the same run.
  expect(additionWrites(journal, agreementOf(target + 1)).length).toBeGreaterThan(0);
  await b.expectBilledAsUsage(usage, [target + 1]);
});
