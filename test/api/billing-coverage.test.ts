import request from 'supertest';
import { billingApi } from './billing-helpers';
import { useSetupStack } from './setup-helpers';

/**
 * Billing coverage over the API, the real engine and the simulator (issue 19): per customer and
 * product the seats in use against the seats ConnectWise bills, why they differ, and the total not
 * billed, checked against figures computed by hand as the tenant changes.
 */
const suite = useSetupStack('billing-coverage', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
  { customerId: 'c-initech', name: 'Initech' },
]);
const { p1, put, cw, setUp, synchronize, waitRun, firstPending, approveAdopting } =
  billingApi(suite);

type Line = { sku: string; inUse: number; billed: number; difference: number; gap: string | null };
type Customer = { customerId: string; gap: string | null; detail: string | null; lines: Line[] };
type Coverage = {
  run: { runKey: string; outcome: string } | null;
  totals: {
    inUse: number;
    billed: number;
    unbilled: number;
    overBilled: number;
    unbilledAmount: number;
    unpricedSeats: number;
    byGap: Record<string, { unbilled: number; overBilled: number; amount: number }>;
  };
  gaps: Record<string, string>;
  customers: Customer[];
};

async function coverage(query = ''): Promise<Coverage> {
  const res = await request(suite.engine.app)
    .get(cw(`/billing/coverage${query}`))
    .set(p1());
  expect(res.status).toBe(200);
  return res.body as Coverage;
}

const linesOf = (c: Coverage, customerId: string) =>
  c.customers
    .find((x) => x.customerId === customerId)
    ?.lines.map((l) => [l.sku, l.inUse, l.billed, l.gap]);

/** Seats on the agreement's open additions of `item`, as the simulator holds them. */
async function seatsInConnectWise(agreementId: number, item: number): Promise<number> {
  const additions = await suite.fx.sim.admin.state.additions(agreementId);
  return additions
    .filter((a) => !a.cancelledDate && a.product.id === item)
    .reduce((n, a) => n + a.quantity, 0);
}

test('coverage follows the tenant: unmapped and waiting seats unbilled, then billed once decided; an ineligible agreement keeps what ConnectWise bills', async () => {
  // Acme 30 browser + 10 DNS on agreement 300 (which bills the browser product by hand: a
  // candidate waits), Globex 5 browser on 303; prices 4 and 1.5.
  await setUp();
  // Initech uses seats but is mapped to nobody.
  const usage = await put('/v1/partners/p1/customers/c-initech/usage', {
    usage: [{ sku: 'browser-security', quantity: 7 }],
  });
  expect(usage.status).toBe(200);
  const unrun = await coverage();
  expect(linesOf(unrun, 'c-initech')).toEqual([['browser-security', 7, 0, 'unmapped']]);
  const first = await synchronize();
  const held = await coverage();
  expect(held.run).toMatchObject({ runKey: first.runWorkflowId });
  expect(linesOf(held, 'c-acme')).toEqual([
    ['browser-security', 30, 0, 'candidate_waiting'],
    ['secure-dns', 10, 0, 'candidate_waiting'],
  ]);
  expect(linesOf(held, 'c-globex')).toEqual([['browser-security', 5, 5, null]]);
  expect(held.totals).toMatchObject({
    inUse: 30 + 10 + 5 + 7,
    billed: 5,
    unbilled: 47,
    overBilled: 0,
    unbilledAmount: 30 * 4 + 10 * 1.5 + 7 * 4,
    byGap: {
      candidate_waiting: { unbilled: 40, overBilled: 0, amount: 135 },
      unmapped: { unbilled: 7, overBilled: 0, amount: 28 },
    },
  });
  expect(held.gaps.unmapped).toMatch(/map it/);
  // Only the lines that differ.
  const gapsOnly = await coverage('?only=gaps');
  expect(gapsOnly.customers.map((c) => c.customerId).sort()).toEqual(['c-acme', 'c-initech']);
  expect(gapsOnly.totals).toEqual(held.totals);

  // The partner adopts the hand-made addition: the run it queues bills Acme as used.
  const { approval, candidates } = await firstPending();
  const decided = await approveAdopting(approval, candidates);
  expect(decided.status).toBe(200);
  expect((await waitRun(decided.body.runWorkflowId as string)).outcome).toBe('succeeded');
  const billed = await coverage();
  expect(linesOf(billed, 'c-acme')).toEqual([
    ['browser-security', 30, 30, null],
    ['secure-dns', 10, 10, null],
  ]);
  expect(billed.totals).toMatchObject({ billed: 45, unbilled: 7, unbilledAmount: 28 });
  // As ConnectWise holds it.
  const itemOf = async (sku: string) =>
    (await suite.engine.db.repos.productMappings.list('p1', suite.integrationId)).find(
      (m) => m.sku === sku,
    )!.catalogItemId;
  const browserItem = await itemOf('browser-security');
  expect(await seatsInConnectWise(300, browserItem)).toBe(30);
  expect(await seatsInConnectWise(300, await itemOf('secure-dns'))).toBe(10);

  // Globex grows to 8 while its agreement is cancelled: nothing is written, 3 seats unbilled.
  const admin = suite.fx.sim.admin;
  const agreement = (await admin.state.agreements()).find((a) => a.id === 303)!;
  await admin.state.put('agreements', { ...agreement, cancelledFlag: true });
  await put('/v1/partners/p1/customers/c-globex/usage', {
    usage: [{ sku: 'browser-security', quantity: 8 }],
  });
  await synchronize();
  const ineligible = await coverage();
  const globex = ineligible.customers.find((c) => c.customerId === 'c-globex')!;
  expect(globex).toMatchObject({
    gap: 'agreement_ineligible',
    detail: expect.stringMatching(/303/),
  });
  expect(linesOf(ineligible, 'c-globex')).toEqual([
    ['browser-security', 8, 5, 'agreement_ineligible'],
  ]);
  expect(await seatsInConnectWise(303, browserItem)).toBe(5);
  expect(ineligible.totals.byGap.agreement_ineligible).toEqual({
    unbilled: 3,
    overBilled: 0,
    amount: 12,
  });

  // Billing turned off, the engine's additions left in place: ConnectWise still bills them.
  await admin.state.put('agreements', agreement);
  const off = await put(cw('/billing-settings'), {
    enabled: false,
    releaseAdditions: false,
    agreements: [
      { customerId: 'c-acme', agreementId: 300 },
      { customerId: 'c-globex', agreementId: 303 },
    ],
  });
  expect(off.status).toBe(200);
  const offCoverage = await coverage();
  expect(linesOf(offCoverage, 'c-acme')).toEqual([
    ['browser-security', 30, 30, null],
    ['secure-dns', 10, 10, null],
  ]);
  expect(linesOf(offCoverage, 'c-initech')).toEqual([['browser-security', 7, 0, 'billing_off']]);
  expect(offCoverage.totals.billed).toBe(45);
});

test("another partner's coverage is not reachable; a bad query names the field", async () => {
  const other = await request(suite.engine.app)
    .get('/v1/partners/p2/connectwise/billing/coverage')
    .set(p1());
  expect([403, 404]).toContain(other.status);
  const bad = await request(suite.engine.app).get(cw('/billing/coverage?only=some')).set(p1());
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/only/);
});
