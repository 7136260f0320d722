import { billingDay } from '../../domain/billing/time-zone';
import { catalogXRef } from '../../domain/billing/settings';
import { additionRows, PRODUCTS, useBillingFixture, writesIn } from './billing-fixture';

const fx = useBillingFixture('billing-prepare');
const admin = () => fx.sim.sim.admin;
const UMBRELLA = { customerId: 'c-umbrella', agreementId: 307, companyId: 256 };

describe('tenant safety', () => {
  test('only agreements that still exist, are eligible and belong to the mapped company are reconciled; the rest say why', async () => {
    const s = await fx.setup({
      choices: [
        { customerId: 'c-ok', agreementId: 300, companyId: 250 },
        { customerId: 'c-one-time', agreementId: 301, companyId: 250 },
        { customerId: 'c-cancelled', agreementId: 302, companyId: 250 },
        { customerId: 'c-shared-1', agreementId: 303, companyId: 254 },
        { customerId: 'c-shared-2', agreementId: 303, companyId: 254 },
        { customerId: 'c-expired', agreementId: 304, companyId: 254 },
        { customerId: 'c-inactive', agreementId: 305, companyId: 255 },
        // 306 belongs to Initech (255): it moved away from the company this customer is mapped to.
        { customerId: 'c-moved', agreementId: 306, companyId: 250 },
        { customerId: 'c-no-usage', agreementId: 307, companyId: 256 },
        { customerId: 'c-unmapped', agreementId: 308, companyId: undefined },
        { customerId: 'c-excluded', agreementId: 309, companyId: null },
        { customerId: 'c-deleted', agreementId: 999_999, companyId: 250 },
      ],
      usage: Object.fromEntries(
        [
          'c-ok',
          'c-one-time',
          'c-cancelled',
          'c-shared-1',
          'c-shared-2',
          'c-expired',
          'c-inactive',
          'c-moved',
          'c-unmapped',
          'c-excluded',
          'c-deleted',
        ].map((c) => [c, { 'browser-security': 3 }]),
      ),
    });
    const prepared = await s.prepare(s.newRef());
    expect(prepared.batches).toEqual([[300]]);
    expect(Object.fromEntries(prepared.skipped.map((k) => [k.customerId, k.reason]))).toEqual({
      'c-one-time': expect.stringMatching(/^agreement 301: This agreement is billed one time/),
      'c-cancelled': 'agreement 302: This agreement is cancelled.',
      'c-shared-1': expect.stringMatching(
        /agreement 303 is chosen for customers c-shared-1, c-shared-2/,
      ),
      'c-shared-2': expect.stringMatching(/agreement 303 is chosen for customers/),
      'c-expired': expect.stringMatching(/^agreement 304: This agreement's status is Expired/),
      'c-inactive': expect.stringMatching(/^agreement 305: .*Inactive/),
      'c-moved':
        'agreement 306 now belongs to company 255 (Initech), not to company 250 that customer c-moved is mapped to',
      'c-no-usage': 'no usage has been received for customer c-no-usage yet',
      'c-unmapped': 'customer c-unmapped is not mapped to a ConnectWise company',
      'c-excluded': 'customer c-excluded is excluded from ConnectWise',
      'c-deleted': 'agreement 999999 no longer exists in ConnectWise',
    });
    // Every candidate agreement in one read; nothing written to any of them.
    const counts = await admin().journal.counts();
    expect(counts['GET /finance/agreements']).toBe(1);
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });

  test('a customer whose agreement moved to another company is never written, even with usage', async () => {
    const s = await fx.setup({
      choices: [{ customerId: 'c1', agreementId: 307, companyId: 250 }],
      usage: { c1: { 'browser-security': 5 } },
    });
    const { prepared, outcomes } = await s.run();
    expect(outcomes).toEqual([]);
    expect(prepared.skipped).toEqual([
      {
        customerId: 'c1',
        agreementId: 307,
        reason: expect.stringMatching(/now belongs to company 256/),
        // A health issue: the agreement is no longer eligible.
        problem: 'agreement_ineligible',
      },
    ]);
    expect(await admin().state.additions(307)).toEqual([]);
  });
});

describe('snapshot', () => {
  test('usage pushed after the run was prepared is not used by it; a retried prepare answers the same without asking ConnectWise', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
    });
    const ref = s.newRef();
    const prepared = await s.prepare(ref);
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 50, dlp: 7 });
    await admin().journal.clear();
    expect(await s.prepare(ref)).toEqual(prepared);
    expect(await admin().journal.list()).toEqual([]);
    await s.reconcile(ref, [307]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, null]]);
    // The next run takes the new usage.
    await s.run();
    const dlp = (await admin().state.catalog()).find((i) => i.integrationXRef === 'dfx:dlp')!;
    expect(additionRows(await admin().state.additions(307))).toEqual([
      [1350, 50, null],
      [dlp.id, 7, null],
    ]);
  });

  test('nothing to do, and why, without calling ConnectWise when billing is off or the integration paused', async () => {
    const off = await fx.setup({ choices: [UMBRELLA], enabled: false });
    expect(await off.prepare(off.newRef())).toMatchObject({
      batches: [],
      skipped: [],
      nothingToDo: 'billing is turned off for this integration',
    });
    const paused = await fx.setup({ choices: [UMBRELLA] });
    await fx.repos.integrations.update(paused.partnerId, paused.integrationId, { state: 'paused' });
    expect((await paused.prepare(paused.newRef())).nothingToDo).toBe('the integration is paused');
    expect(await admin().journal.list()).toEqual([]);

    // With no agreement chosen the ledger may still hold additions to release: the run looks,
    // and writes nothing when it holds none.
    const none = await fx.setup({ choices: [] });
    expect(await none.prepare(none.newRef())).toMatchObject({
      batches: [],
      nothingToDo: 'no customer has a billing agreement chosen, and nothing to release',
    });
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });
});

describe('billing day', () => {
  const around = (zone: string, run: () => Promise<{ today: string }>) => async () => {
    const before = billingDay(zone, new Date());
    const { today } = await run();
    expect([before, billingDay(zone, new Date())]).toContain(today);
  };

  test(
    "is the day in ConnectWise's server time zone when the settings name none",
    around('America/New_York', async () => {
      const s = await fx.setup({ choices: [UMBRELLA], usage: { [UMBRELLA.customerId]: {} } });
      const prepared = await s.prepare(s.newRef());
      expect((await admin().journal.counts())['GET /system/info']).toBe(1);
      return prepared;
    }),
  );

  test(
    "is the day in the settings' time zone, and then /system/info is not asked",
    around('Pacific/Kiritimati', async () => {
      const s = await fx.setup({
        choices: [UMBRELLA],
        policy: { timeZone: 'Pacific/Kiritimati' },
        usage: { [UMBRELLA.customerId]: {} },
      });
      const prepared = await s.prepare(s.newRef());
      expect((await admin().journal.counts())['GET /system/info']).toBeUndefined();
      return prepared;
    }),
  );
});

describe('catalog', () => {
  test("found by integrationXRef, by identifier, or created with the catalog defaults, in one read pass; saved as the engine's mappings", async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 1, 'DFX-SECURE-DNS': 2, dlp: 3 } },
    });
    await s.prepare(s.newRef());
    const counts = await admin().journal.counts();
    expect(counts['GET /procurement/catalog']).toBe(1);
    expect(counts['POST /procurement/catalog']).toBe(1);
    const created = (await admin().state.catalog()).find((i) => i.integrationXRef === 'dfx:dlp');
    expect(created).toMatchObject({
      identifier: 'dlp',
      description: 'DefensX Data Loss Prevention',
      customerDescription: 'DLP seats',
      category: { id: 2 },
      subcategory: { id: 1 },
      type: { id: 1 },
      productClass: 'Service',
      price: 3,
      cost: 1.5,
    });
    const mappings = await fx.repos.productMappings.list(s.partnerId, s.integrationId);
    expect(mappings.map((m) => [m.sku, m.catalogItemId, m.source])).toEqual([
      ['DFX-SECURE-DNS', 1351, 'engine'],
      ['browser-security', 1350, 'engine'],
      ['dlp', created!.id, 'engine'],
    ]);

    // The next run reads the mapped items by id and creates nothing.
    await admin().journal.clear();
    await s.prepare(s.newRef());
    const next = (await admin().journal.list()).filter(
      (e) => e.template === '/procurement/catalog',
    );
    expect(next.map((e) => `${e.method} ${e.query.conditions}`)).toEqual([
      expect.stringMatching(/^GET id in \(1350,1351,\d+\)$/),
    ]);
  });

  test("the partner's mapping wins over the engine's keys", async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 4 } },
    });
    await fx.repos.productMappings.save(s.partnerId, s.integrationId, [
      { sku: 'browser-security', catalogItemId: 1353, source: 'partner' },
    ]);
    await s.run();
    expect(additionRows(await admin().state.additions(307))).toEqual([[1353, 4, null]]);
    expect((await fx.repos.productMappings.list(s.partnerId, s.integrationId))[0]?.source).toBe(
      'partner',
    );
  });

  test('a sku too long for integrationXRef gets a digest key, and the next run finds its item by it', async () => {
    const sku = `enterprise-browser-security-${'x'.repeat(40)}`;
    const s = await fx.setup({
      choices: [UMBRELLA],
      products: [{ sku, name: 'Long', description: '', price: 1, cost: 0 }],
      usage: { [UMBRELLA.customerId]: { [sku]: 1 } },
    });
    await s.prepare(s.newRef());
    const item = (await admin().state.catalog()).find(
      (i) => i.integrationXRef === catalogXRef(sku),
    );
    expect(item?.integrationXRef).toHaveLength(50);
    await fx.repos.productMappings.remove(s.partnerId, s.integrationId, [sku]);
    await admin().journal.clear();
    await s.prepare(s.newRef());
    expect((await admin().journal.counts())['POST /procurement/catalog']).toBeUndefined();
    expect(
      (await fx.repos.productMappings.list(s.partnerId, s.integrationId))[0]?.catalogItemId,
    ).toBe(item!.id);
  });

  test('a create ConnectWise refuses for a setting names the setting; those skus are skipped, the rest billed, the run partial', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      // Subcategory 1 belongs to category 2, not 1.
      policy: { catalogDefaults: { categoryId: 1, subcategoryId: 1, typeId: 1 } },
      products: [
        ...PRODUCTS,
        { sku: 'edr', name: 'DefensX EDR', description: '', price: 5, cost: 2 },
      ],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 2, dlp: 3, edr: 4 } },
    });
    fx.sim.expect400(1);
    const { prepared, outcomes } = await s.run();
    const reason = expect.stringMatching(
      /^ConnectWise refused the product subcategory \(Subcategory 1 does not belong to Category 1\.?\): check billing settings catalogDefaults\.subcategoryId$/,
    );
    expect(prepared.skippedSkus).toEqual([
      { sku: 'dlp', reason },
      { sku: 'edr', reason },
    ]);
    // One refusal is enough: the second sku is not sent.
    expect((await admin().journal.counts())['POST /procurement/catalog']).toBe(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'partial', counts: { create: 1, skip: 2 } });
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 2, null]]);
  });

  test('without the subcategory and type the contract requires, nothing is sent and the settings are named', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { catalogDefaults: {} },
      usage: { [UMBRELLA.customerId]: { dlp: 3 } },
    });
    const prepared = await s.prepare(s.newRef());
    expect(prepared.skippedSkus).toEqual([
      {
        sku: 'dlp',
        reason:
          'ConnectWise requires a product subcategory and a product type for a new catalog item: set billing settings catalogDefaults.subcategoryId and billing settings catalogDefaults.typeId, or map the sku to an existing catalog item',
      },
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });
});
