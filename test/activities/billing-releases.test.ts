import type { ZeroUsagePolicy } from '../../domain/billing/types';
import { additionRows, PRODUCTS, useBillingFixture, writesIn } from './billing-fixture';

/**
 * Moves (issue 16, case 2): every run reconciles the whole ledger, so an addition the engine owns
 * that is no longer backed by (customer, chosen agreement, sku → item) is released by the
 * zero-usage policy, wherever it is, while the new place gets its own.
 */
const fx = useBillingFixture('billing-releases');
const admin = () => fx.sim.sim.admin;

// Umbrella (company 256) bills through 307; Stark's agreement 309 (company 251) has no additions.
const UMBRELLA = { customerId: 'c-umbrella', agreementId: 307, companyId: 256 };
const HOOLI = { customerId: 'c-hooli', agreementId: 303, companyId: 254 };
const STARK = { customerId: 'c-stark', agreementId: 309, companyId: 251 };

/** Umbrella billed 10 seats on 307 by the engine. */
async function billed(zeroUsage: ZeroUsagePolicy = 'zero', products = PRODUCTS) {
  const s = await fx.setup({
    choices: [UMBRELLA],
    policy: { zeroUsage },
    products,
    usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
  });
  await s.run();
  const [ours] = await admin().state.additions(307);
  expect(ours).toMatchObject({ quantity: 10 });
  expect(await s.ledger()).toEqual([expect.objectContaining({ additionId: ours!.id })]);
  return { s, ours: ours! };
}

/** The customer moves to another company and its agreement 309. */
async function moveToStark(s: Awaited<ReturnType<typeof billed>>['s']) {
  await s.setSettings({ agreements: [{ customerId: UMBRELLA.customerId, agreementId: 309 }] });
  await fx.repos.companyMappings.save(s.partnerId, s.integrationId, [
    { customerId: UMBRELLA.customerId, companyId: STARK.companyId },
  ]);
}

const MOVED = 'customer c-umbrella moved to agreement 309';

describe('a customer moved from agreement 307 to 309', () => {
  test("under 'zero': 309 gets the addition, 307's is set to 0 and released, audited with why", async () => {
    const { s, ours } = await billed('zero');
    await moveToStark(s);
    await admin().journal.clear();
    const { ref, prepared, outcomes } = await s.run();
    expect(prepared.batches).toEqual([[307, 309]]);
    expect(outcomes).toEqual([
      expect.objectContaining({
        customerId: '',
        agreementId: 307,
        outcome: 'succeeded',
        counts: expect.objectContaining({ release: 1 }),
      }),
      expect.objectContaining({
        customerId: UMBRELLA.customerId,
        agreementId: 309,
        outcome: 'succeeded',
        counts: { create: 1 },
      }),
    ]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 0, null]]);
    const [created] = await admin().state.additions(309);
    expect(additionRows([created!])).toEqual([[1350, 10, null]]);
    expect(writesIn(await admin().journal.list()).sort()).toEqual([
      'PATCH /finance/agreements/307/additions/' + ours.id,
      'POST /finance/agreements/309/additions',
    ]);
    expect(await s.ledger()).toEqual([
      expect.objectContaining({ agreementId: 309, additionId: created!.id, state: 'active' }),
    ]);
    const changes = await s.changes(ref);
    expect(changes.map((c) => [c.agreementId, c.action, c.customerId, c.from, c.to])).toEqual([
      [307, 'release', UMBRELLA.customerId, { quantity: 10 }, { quantity: 0 }],
      [309, 'create', UMBRELLA.customerId, null, { quantity: 10 }],
    ]);
    expect(changes[0]?.message).toBe(MOVED);

    // Released, the old addition is nobody's: the next run leaves 307 alone.
    await admin().journal.clear();
    const next = await s.run();
    expect(next.prepared.batches).toEqual([[309]]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });

  test("under 'cancel': 307's addition is cancelled at the period end", async () => {
    const { s, ours } = await billed('cancel');
    await moveToStark(s);
    const { ref, prepared, outcomes } = await s.run();
    expect(outcomes.map((o) => [o.agreementId, o.outcome])).toEqual([
      [307, 'succeeded'],
      [309, 'succeeded'],
    ]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, prepared.today]]);
    expect(additionRows(await admin().state.additions(309))).toEqual([[1350, 10, null]]);
    expect((await s.ledger()).map((e) => e.agreementId)).toEqual([309]);
    expect(await s.changes(ref)).toEqual([
      expect.objectContaining({
        agreementId: 307,
        additionId: ours.id,
        action: 'release',
        date: prepared.today,
        message: MOVED,
      }),
      expect.objectContaining({ agreementId: 309, action: 'create' }),
    ]);
  });

  test("under 'leave': 307's addition is left open, and every later run lists it as left", async () => {
    const { s, ours } = await billed('leave');
    await moveToStark(s);
    await admin().journal.clear();
    const { outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({
      agreementId: 307,
      outcome: 'succeeded',
      counts: expect.objectContaining({ release: 1 }),
    });
    expect(writesIn(await admin().journal.list())).toEqual([
      'POST /finance/agreements/309/additions',
    ]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, null]]);
    expect(await s.ledger()).toEqual([
      expect.objectContaining({ agreementId: 307, additionId: ours.id, state: 'left' }),
      expect.objectContaining({ agreementId: 309, state: 'active' }),
    ]);

    for (let i = 0; i < 2; i++) {
      await admin().journal.clear();
      const next = await s.run();
      expect(next.outcomes).toEqual([
        expect.objectContaining({
          customerId: '',
          agreementId: 307,
          outcome: 'succeeded',
          counts: expect.objectContaining({ left: 1 }),
        }),
        expect.objectContaining({ agreementId: 309, counts: { noop: 1 } }),
      ]);
      expect(writesIn(await admin().journal.list())).toEqual([]);
    }
  });
});

describe('other ways an addition stops being backed', () => {
  const released = async (
    s: Awaited<ReturnType<typeof billed>>['s'],
    ours: { id: number },
    reason: string | RegExp,
  ) => {
    const { ref, outcomes } = await s.run();
    expect(outcomes).toContainEqual(
      expect.objectContaining({
        agreementId: 307,
        outcome: 'succeeded',
        counts: expect.objectContaining({ release: 1 }),
      }),
    );
    expect((await admin().state.additions(307)).find((a) => a.id === ours.id)?.quantity).toBe(0);
    expect((await s.ledger()).some((e) => e.additionId === ours.id)).toBe(false);
    const release = (await s.changes(ref)).find((c) => c.action === 'release');
    expect(release).toMatchObject({ additionId: ours.id, outcome: 'applied' });
    expect(release?.message).toMatch(reason);
    return { ref, outcomes };
  };

  test('the customer unmapped', async () => {
    const { s, ours } = await billed();
    await fx.repos.companyMappings.clear(s.partnerId, s.integrationId);
    const { outcomes } = await released(
      s,
      ours,
      'customer c-umbrella is no longer mapped to a ConnectWise company',
    );
    expect(outcomes[0]?.customerId).toBe('');
  });

  test('the customer excluded', async () => {
    const { s, ours } = await billed();
    await fx.repos.companyMappings.save(s.partnerId, s.integrationId, [
      { customerId: UMBRELLA.customerId, companyId: null },
    ]);
    await released(s, ours, 'customer c-umbrella is excluded from ConnectWise');
  });

  test('the customer removed from the billing choices', async () => {
    const { s, ours } = await billed();
    await s.setSettings({ agreements: [] });
    await released(s, ours, 'customer c-umbrella no longer has a billing agreement chosen');
  });

  test('the sku pointed at another catalog item: the old addition released, one of the new item created', async () => {
    // Only browser-security is sold here, so catalog item 1351 is free for it.
    const { s, ours } = await billed('zero', [PRODUCTS[0]!]);
    await fx.repos.productMappings.save(s.partnerId, s.integrationId, [
      { sku: 'browser-security', catalogItemId: 1351, source: 'partner' },
    ]);
    const { outcomes } = await released(
      s,
      ours,
      'browser-security is now billed as catalog item 1351, not 1350',
    );
    expect(outcomes[0]?.counts).toMatchObject({ release: 1, create: 1 });
    const open = (await admin().state.additions(307)).filter((a) => a.quantity > 0);
    expect(additionRows(open)).toEqual([[1351, 10, null]]);
    expect(await s.ledger()).toEqual([expect.objectContaining({ productId: 1351 })]);
  });

  test('billing turned off with releaseAdditions: every ledger addition released', async () => {
    const { s, ours } = await billed();
    await s.setSettings({ enabled: false, releaseAdditions: true });
    await released(s, ours, 'billing was turned off with releaseAdditions');
  });

  test('billing turned off without releaseAdditions: nothing to do, the additions stay as they are', async () => {
    const { s, ours } = await billed();
    await s.setSettings({ enabled: false, releaseAdditions: false });
    await admin().journal.clear();
    expect((await s.run()).prepared.nothingToDo).toBe('billing is turned off for this integration');
    expect(await admin().journal.list()).toEqual([]);
    expect(await s.ledger()).toEqual([expect.objectContaining({ additionId: ours.id })]);
  });

  test('releases count in the safety valve: too many customers released at once are held', async () => {
    const choices = [UMBRELLA, HOOLI, STARK];
    const s = await fx.setup({
      choices,
      usage: Object.fromEntries(choices.map((c) => [c.customerId, { 'browser-security': 8 }])),
    });
    await s.run();
    // Two of three customers unmapped: 66.7% zeroed at once, more than the 20% allowed.
    await fx.repos.companyMappings.clear(s.partnerId, s.integrationId);
    await fx.repos.companyMappings.save(s.partnerId, s.integrationId, [
      { customerId: STARK.customerId, companyId: STARK.companyId },
    ]);
    await admin().journal.clear();
    const { outcomes } = await s.run();
    const byId = new Map(outcomes.map((o) => [o.agreementId, o]));
    for (const id of [303, 307]) {
      expect(byId.get(id)).toMatchObject({
        outcome: 'held',
        planned: expect.objectContaining({ release: 1 }),
        reason: expect.stringMatching(/would drop to zero seats at once/),
      });
      expect((await s.approval(id))?.status).toBe('pending');
    }
    expect(byId.get(309)).toMatchObject({ outcome: 'succeeded' });
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });
});
