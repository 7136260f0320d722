import type { TenantChangeRecord } from '../../db/repositories/integrations';
import { additionRows, useBillingFixture, writesIn } from './billing-fixture';

/**
 * Holds are per agreement and block nobody (issue 16, cases 3 and 4), and writes are bound to the
 * tenant the run was prepared in (case 5).
 */
const fx = useBillingFixture('billing-holds');
const admin = () => fx.sim.sim.admin;

const UMBRELLA = { customerId: 'c-umbrella', agreementId: 307, companyId: 256 };
const STARK = { customerId: 'c-stark', agreementId: 309, companyId: 251 };

describe('one agreement held by the safety valve', () => {
  test("another customer's change is written in the same pass, and in every later run while it waits", async () => {
    const s = await fx.setup({
      choices: [UMBRELLA, STARK],
      usage: {
        [UMBRELLA.customerId]: { 'browser-security': 10 },
        [STARK.customerId]: { 'browser-security': 10 },
      },
    });
    await s.run();
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 4 });
    await s.pushUsage(STARK.customerId, { 'browser-security': 12 });
    await admin().journal.clear();
    const { prepared, outcomes } = await s.run();
    expect(prepared.batches).toEqual([[307, 309]]);
    expect(outcomes).toEqual([
      expect.objectContaining({
        agreementId: 307,
        outcome: 'held',
        reason: expect.stringContaining('seats would drop from 10 to 4'),
      }),
      expect.objectContaining({ agreementId: 309, outcome: 'succeeded', counts: { update: 1 } }),
    ]);
    const [stark] = await admin().state.additions(309);
    expect(writesIn(await admin().journal.list())).toEqual([
      `PATCH /finance/agreements/309/additions/${stark!.id}`,
    ]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, null]]);
    expect(additionRows(await admin().state.additions(309))).toEqual([[1350, 12, null]]);
    const held = await s.approval(307);
    expect(held).toMatchObject({ status: 'pending', customerId: UMBRELLA.customerId });
    expect(await s.approval(309)).toBeUndefined();

    // The approval still waits; Stark's next change is written all the same.
    await s.pushUsage(STARK.customerId, { 'browser-security': 15 });
    const later = await s.run();
    expect(later.outcomes.map((o) => [o.agreementId, o.outcome, o.counts])).toEqual([
      [307, 'held', {}],
      [309, 'succeeded', { update: 1 }],
    ]);
    expect(additionRows(await admin().state.additions(309))).toEqual([[1350, 15, null]]);
    expect(await s.approval(307)).toMatchObject({
      status: 'pending',
      approvalId: held!.approvalId,
    });
  });
});

describe('a run over more agreements than one stored batch', () => {
  const CUSTOMERS = Array.from({ length: 8 }, (_, i) => ({
    customerId: `c-${i}`,
    agreementId: 320 + i,
    companyId: UMBRELLA.companyId,
  }));
  const HELD = [320, 323, 326];

  test('holds and writes mix across batches; approved, the held agreements of every batch are written, even reconciled together', async () => {
    // Eight more agreements like Umbrella's 307, one per customer.
    const template = (await admin().state.agreements()).find((a) => a.id === 307)!;
    for (const c of CUSTOMERS)
      await admin().state.put('agreements', {
        ...template,
        id: c.agreementId,
        name: `Umbrella - Site ${c.customerId}`,
      });
    const s = await fx.setup({
      choices: CUSTOMERS,
      usage: Object.fromEntries(CUSTOMERS.map((c) => [c.customerId, { 'browser-security': 10 }])),
    });
    const first = await s.run();
    expect(first.prepared.batches).toEqual([
      [320, 321, 322, 323, 324],
      [325, 326, 327],
    ]);
    expect(first.outcomes.every((o) => o.outcome === 'succeeded')).toBe(true);

    for (const c of CUSTOMERS)
      await s.pushUsage(c.customerId, {
        'browser-security': HELD.includes(c.agreementId) ? 2 : 11,
      });
    const { outcomes } = await s.run();
    expect(outcomes.map((o) => [o.agreementId, o.outcome])).toEqual(
      CUSTOMERS.map((c) => [c.agreementId, HELD.includes(c.agreementId) ? 'held' : 'succeeded']),
    );
    for (const c of CUSTOMERS) {
      const [addition] = await admin().state.additions(c.agreementId);
      expect([c.agreementId, addition?.quantity]).toEqual([
        c.agreementId,
        HELD.includes(c.agreementId) ? 10 : 11,
      ]);
      expect([c.agreementId, (await s.approval(c.agreementId))?.status]).toEqual([
        c.agreementId,
        HELD.includes(c.agreementId) ? 'pending' : undefined,
      ]);
    }

    for (const id of HELD) await s.decide(id, 'approve');
    // A pass may group agreements of different stored batches (320 and 323 are in the first,
    // 326 in the second): each is found and written.
    const ref = s.newRef();
    await s.prepare(ref);
    await admin().journal.clear();
    const approved = await s.reconcile(ref, HELD);
    expect(approved.map((o) => [o.agreementId, o.outcome, o.counts])).toEqual(
      HELD.map((id) => [id, 'succeeded', { update: 1 }]),
    );
    expect(writesIn(await admin().journal.list())).toHaveLength(HELD.length);
    for (const id of HELD) {
      expect(additionRows(await admin().state.additions(id))).toEqual([[1350, 2, null]]);
      expect((await s.approval(id))?.status).toBe('applied');
    }
  });
});

describe('a change of tenant after the run was prepared', () => {
  const reset = (from: TenantChangeRecord['from']): TenantChangeRecord => ({
    at: new Date().toISOString(),
    action: 'reset',
    from,
    to: from,
    cleared: { companyMappings: 0, productMappings: 0, settings: [] },
  });

  test.each([
    ['a reset (the tenant epoch raised)', 'epoch'],
    ['another Company ID', 'companyId'],
    ['another API origin', 'site'],
  ] as const)(
    '%s: the batch fails without retry, type BillingTenantChanged, and writes nothing',
    async (_, change) => {
      const s = await fx.setup({
        choices: [UMBRELLA],
        usage: { [UMBRELLA.customerId]: { 'browser-security': 5 } },
      });
      const ref = s.newRef();
      const prepared = await s.prepare(ref);
      expect(prepared.batches).toEqual([[307]]);
      const before = await s.integration();
      const { partnerId, integrationId } = s;
      if (change === 'epoch') {
        const from = { apiOrigin: before.site, companyId: before.companyId };
        await fx.repos.integrations.update(partnerId, integrationId, {}, [], {}, reset(from));
        expect((await s.integration()).tenantEpoch).toBe(before.tenantEpoch + 1);
      } else if (change === 'companyId') {
        await fx.repos.integrations.update(partnerId, integrationId, { companyId: 'othermsp' });
      } else {
        await fx.repos.integrations.update(partnerId, integrationId, {
          site: before.site.replace('127.0.0.1', 'localhost'),
        });
      }
      await admin().journal.clear();
      await expect(s.reconcile(ref, [307])).rejects.toMatchObject({
        type: 'BillingTenantChanged',
        nonRetryable: true,
      });
      // A retry of the activity refuses the same.
      await expect(s.reconcile(ref, [307], { attempt: 2 })).rejects.toMatchObject({
        type: 'BillingTenantChanged',
      });
      expect(writesIn(await admin().journal.list())).toEqual([]);
      expect(await admin().state.additions(307)).toEqual([]);
      expect(await s.changes(ref)).toEqual([]);
      expect(await s.ledger()).toEqual([]);
    },
  );
});

describe('an open addition carrying the engine mark that the ledger does not hold', () => {
  // The engine's own additions from before the ledger it reads now: the partner deleted the
  // integration and connected the same tenant again (another integration id, an empty ledger), or
  // reset to the same tenant (the ledger of the earlier epoch is not read). Either way the
  // addition bills the very catalog item the sku is billed as: creating another beside it bills
  // the customer twice, so it must at least be asked about, as a hand-made one is.
  test.each([
    ['the integration connected again', 'reconnect'],
    ['a reset back to the same tenant', 'reset'],
  ] as const)('%s: not billed twice', async (_, how) => {
    const usage = { [UMBRELLA.customerId]: { 'browser-security': 10 } };
    const earlier = await fx.setup({ choices: [UMBRELLA], usage });
    await earlier.run();
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, null]]);
    let s = earlier;
    if (how === 'reconnect') {
      await fx.repos.integrations.markDeleted(earlier.partnerId, earlier.integrationId);
      s = await fx.setup({ choices: [UMBRELLA], usage });
    } else {
      const before = await earlier.integration();
      await fx.repos.integrations.update(
        earlier.partnerId,
        earlier.integrationId,
        {},
        [],
        {},
        {
          at: new Date().toISOString(),
          action: 'reset',
          from: { apiOrigin: before.site, companyId: before.companyId },
          to: { apiOrigin: before.site, companyId: before.companyId },
          cleared: { companyMappings: 0, settings: [] },
        },
      );
    }
    const { outcomes } = await s.run();
    const open = (await admin().state.additions(307)).filter((a) => !a.cancelledDate);
    expect(additionRows(open)).toEqual([[1350, 10, null]]);
    expect(outcomes[0]).toMatchObject({ outcome: 'held', planned: { candidate: 1 } });
  });
});
