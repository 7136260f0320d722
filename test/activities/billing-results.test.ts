import { useBillingFixture } from './billing-fixture';

const fx = useBillingFixture('billing-results');

test("a run records each customer's result: reconciled agreements as the activity answered, and the prepared run's skips; a retried batch replaces its own", async () => {
  const s = await fx.setup({
    choices: [
      { customerId: 'c-ok', agreementId: 300, companyId: 250 },
      { customerId: 'c-unmapped', agreementId: 308, companyId: undefined },
    ],
    usage: { 'c-ok': { 'browser-security': 3 }, 'c-unmapped': { 'browser-security': 1 } },
  });
  const { ref, outcomes } = await s.run();
  const results = () =>
    fx.repos.billingResults.listForRun(s.partnerId, s.integrationId, ref.runKey);
  const withoutTime = async () => (await results()).map(({ at: _at, ...r }) => r);

  expect(outcomes).toHaveLength(1);
  const unmapped = {
    customerId: 'c-unmapped',
    agreementId: 308,
    outcome: 'skipped',
    reason: 'customer c-unmapped is not mapped to a ConnectWise company',
    counts: {},
    source: 'prepare',
  };
  // The stored row adds the seats ConnectWise bills for the engine (coverage): none yet, the
  // agreement's hand-made additions wait for a decision. The workflow's answer has no seats.
  expect(outcomes[0]).not.toHaveProperty('billed');
  expect(await withoutTime()).toEqual([
    { reason: null, ...outcomes[0], billed: [], source: 'reconcile' },
    unmapped,
  ]);

  // The same batch again (a retry): its row is replaced by what the retry answered, not added.
  await fx.sim.sim.admin.security.revoke('Finance/Agreements');
  const retried = await s.reconcile(ref, [300]);
  expect(retried[0]).toMatchObject({ outcome: 'skipped', reason: /refused to read agreement 300/ });
  expect(await withoutTime()).toEqual([
    { reason: null, ...retried[0], source: 'reconcile' },
    unmapped,
  ]);
});
