import { additionMark } from '../../domain/billing/ledger';
import { additionRows, useBillingFixture, writesIn } from './billing-fixture';

const fx = useBillingFixture('billing-reconcile');
const admin = () => fx.sim.sim.admin;

// Seed agreements (simulator/fixtures/demo.json): Umbrella's 307 has no additions; Acme's 300 has
// 5000 (M365, item 1353, 25), 5001 (browser security, item 1350, 20, made by hand) and 5005
// (item 1351, cancelled in 2025); Initech's 306 has two open hand-made additions of item 1350.
const UMBRELLA = { customerId: 'c-umbrella', agreementId: 307, companyId: 256 };
const ACME = { customerId: 'c-acme', agreementId: 300, companyId: 250 };
const INITECH = { customerId: 'c-initech', agreementId: 306, companyId: 255 };

describe('create', () => {
  test("usage becomes Billable additions from the billing day, carrying the engine's mark, in the ledger and audited at once", async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10, dlp: 3 } },
    });
    const { ref, prepared, outcomes } = await s.run();
    expect(outcomes).toEqual([
      {
        customerId: UMBRELLA.customerId,
        agreementId: 307,
        outcome: 'succeeded',
        counts: { create: 2 },
      },
    ]);
    const additions = await admin().state.additions(307);
    const dlpItem = (await admin().state.catalog()).find((i) => i.integrationXRef === 'dfx:dlp')!;
    expect(additionRows(additions)).toEqual([
      [1350, 10, null],
      [dlpItem.id, 3, null],
    ]);
    for (const a of additions) {
      expect(a).toMatchObject({
        billCustomer: 'Billable',
        effectiveDate: `${prepared.today}T00:00:00Z`,
      });
    }
    const byItem = (productId: number) => additions.find((a) => a.product.id === productId)!;
    const idOf = (productId: number) => byItem(productId).id;
    // 307 does not prorate, and its last invoiced period ended long ago: no proration asked.
    expect(byItem(1350).prorateCurrentPeriodFlag).not.toBe(true);
    expect(byItem(1350).serialNumber).toBe(additionMark(s.integrationId, 307, 'browser-security'));
    expect(byItem(dlpItem.id).serialNumber).toBe(additionMark(s.integrationId, 307, 'dlp'));
    const owned = { agreementId: 307, customerId: UMBRELLA.customerId, state: 'active' };
    expect((await s.ledger()).sort((x, y) => x.sku.localeCompare(y.sku))).toEqual([
      { ...owned, sku: 'browser-security', productId: 1350, additionId: idOf(1350) },
      { ...owned, sku: 'dlp', productId: dlpItem.id, additionId: idOf(dlpItem.id) },
    ]);
    expect(await s.pending()).toEqual([]);
    const changes = await s.changes(ref);
    expect(changes.map((c) => [c.sku, c.action, c.outcome, c.additionId, c.to, c.date])).toEqual([
      ['browser-security', 'create', 'applied', idOf(1350), { quantity: 10 }, prepared.today],
      ['dlp', 'create', 'applied', idOf(dlpItem.id), { quantity: 3 }, prepared.today],
    ]);
    expect(changes[0]).toMatchObject({
      trigger: 'manual',
      customerId: UMBRELLA.customerId,
      from: null,
    });
  });

  test('with price sync, a new addition takes the vendor price and cost', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { syncPrices: true },
      usage: { [UMBRELLA.customerId]: { 'browser-security': 2 } },
    });
    await s.run();
    expect(await admin().state.additions(307)).toEqual([
      expect.objectContaining({ quantity: 2, unitPrice: 4, unitCost: 2 }),
    ]);
  });
});

describe('update', () => {
  test('a changed quantity is one PATCH of that addition; a second run of an unchanged agreement writes nothing', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10, dlp: 3 } },
    });
    await s.run();
    const [browser] = (await admin().state.additions(307)).filter((a) => a.product.id === 1350);
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 12, dlp: 3 });
    await admin().journal.clear();
    const { ref, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { update: 1, noop: 1 } });
    expect(writesIn(await admin().journal.list())).toEqual([
      `PATCH /finance/agreements/307/additions/${browser!.id}`,
    ]);
    expect((await s.changes(ref)).map((c) => [c.action, c.from, c.to])).toEqual([
      ['update', { quantity: 10 }, { quantity: 12 }],
    ]);

    await admin().journal.clear();
    const again = await s.run();
    expect(again.outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { noop: 2 } });
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect(await s.changes(again.ref)).toEqual([]);
  });
});

// These tests are about the zero-usage policy itself: the safety valve (which holds a drop of more
// than half the seats for approval) is off here and tested in billing-guards.test.ts.
const NO_VALVE = { maxSeatDropShare: 1, maxZeroedShare: 1 };

describe('zero usage, per policy', () => {
  // A zero-usage cancel keeps the addition in the ledger while it runs to its cancel date (usage
  // coming back before then takes the cancel back).
  test.each([
    ['zero', { update: 1 }, 0, false],
    ['cancel', { cancel: 1 }, 10, true],
    ['leave', { noop: 1 }, 10, false],
  ] as const)('%s', async (zeroUsage, counts, quantity, cancelled) => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { zeroUsage, ...NO_VALVE },
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
    });
    await s.run();
    await s.pushUsage(UMBRELLA.customerId, {});
    const { ref, prepared, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts });
    const additions = await admin().state.additions(307);
    expect(additionRows(additions)).toEqual([[1350, quantity, cancelled ? prepared.today : null]]);
    expect(await s.ledger()).toEqual([
      expect.objectContaining({ additionId: additions[0]!.id, state: 'active' }),
    ]);
    if (cancelled) {
      expect(await s.changes(ref)).toEqual([
        expect.objectContaining({ action: 'cancel', outcome: 'applied', date: prepared.today }),
      ]);
    }
  });

  test('usage returning the day of a cancel takes the cancel back: one addition, never a second', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { zeroUsage: 'cancel', ...NO_VALVE },
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
    });
    await s.run();
    const [made] = await admin().state.additions(307);
    await s.pushUsage(UMBRELLA.customerId, {});
    const { prepared } = await s.run();
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, prepared.today]]);
    // Cancelled as of today (no invoiced period runs): still the engine's until the day is over.
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 4 });
    const { outcomes } = await s.run();
    expect(outcomes[0]?.counts).toEqual({ adopt: 1 });
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 4, null]]);
    expect(await s.ledger()).toEqual([expect.objectContaining({ additionId: made!.id })]);
  });
});

describe('additions the engine did not make', () => {
  test('an open addition of a managed product is a candidate: the agreement is held for the partner, nothing written; other products are untouched', async () => {
    const s = await fx.setup({
      choices: [ACME],
      policy: { zeroUsage: 'cancel', ...NO_VALVE },
      usage: { [ACME.customerId]: { 'browser-security': 22 } },
    });
    const before = await admin().state.additions(300);
    const { ref, outcomes } = await s.run();
    expect(outcomes).toEqual([
      {
        customerId: ACME.customerId,
        agreementId: 300,
        outcome: 'held',
        reason: expect.stringMatching(
          /^1 addition the engine does not own may already bill browser-security: adopt, keep separate or cancel/,
        ),
        counts: {},
        planned: { candidate: 1 },
      },
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
    // M365 (5000) and the cancelled DNS addition (5005) are no candidates, and nothing is touched.
    expect(await admin().state.additions(300)).toEqual(before);
    expect(await s.ledger()).toEqual([]);
    expect(await s.changes(ref)).toEqual([]);
    expect(await s.approval(300)).toMatchObject({
      status: 'pending',
      customerId: ACME.customerId,
      operations: [
        {
          action: 'candidate',
          sku: 'browser-security',
          additionId: 5001,
          productId: 1350,
          quantity: 20,
          why: expect.stringContaining('addition 5001 bills catalog item'),
        },
      ],
    });
  });

  test('an addition adopted by the partner that already says what usage says is adopted without a write', async () => {
    const s = await fx.setup({
      choices: [ACME],
      usage: { [ACME.customerId]: { 'browser-security': 20 } },
    });
    expect((await s.run()).outcomes[0]?.outcome).toBe('held');
    await s.decide(300, 'approve', [{ additionId: 5001, decision: 'adopt' }]);
    await admin().journal.clear();
    const { outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { adopt: 1 } });
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect(await s.ledger()).toEqual([
      {
        agreementId: 300,
        additionId: 5001,
        sku: 'browser-security',
        productId: 1350,
        customerId: ACME.customerId,
        state: 'active',
      },
    ]);
    expect((await s.approval(300))?.status).toBe('applied');
  });

  test('two open additions for one product are two candidates: the agreement is held, nothing written', async () => {
    const s = await fx.setup({
      choices: [INITECH],
      usage: { [INITECH.customerId]: { 'browser-security': 9 } },
    });
    const before = await admin().state.additions(306);
    const { ref, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({
      outcome: 'held',
      counts: {},
      planned: { candidate: 2 },
      reason: expect.stringMatching(/^2 additions the engine does not own may already bill/),
    });
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect(await admin().state.additions(306)).toEqual(before);
    expect(await s.changes(ref)).toEqual([]);
    const approval = await s.approval(306);
    expect(
      approval?.operations.map((op) => [op.action, 'additionId' in op && op.additionId]),
    ).toEqual([
      ['candidate', 5003],
      ['candidate', 5004],
    ]);
  });
});

describe('failures', () => {
  test('an addition created just before the activity failed is adopted by the retry, never doubled', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 6 } },
    });
    const ref = s.newRef();
    await s.prepare(ref);
    // ConnectWise commits the addition, then the answer is lost.
    await admin().faults.add({
      kind: 'serverError',
      afterCommit: true,
      method: 'POST',
      path: '/finance/agreements/{parentId}/additions',
      count: 1,
    });
    await expect(s.reconcile(ref, [307])).rejects.toMatchObject({
      type: 'ConnectWise.server',
      nonRetryable: false,
    });
    // Temporal's retry: the second attempt reads the ledger as saved now, and finds the addition
    // by the engine's mark.
    const retried = await s.reconcile(ref, [307], { attempt: 2 });
    expect(retried[0]).toMatchObject({ outcome: 'succeeded', counts: { adopt: 1 } });
    const additions = await admin().state.additions(307);
    expect(additionRows(additions)).toEqual([[1350, 6, null]]);
    expect((await admin().journal.counts())['POST /finance/agreements/{parentId}/additions']).toBe(
      1,
    );
    expect(await s.ledger()).toEqual([
      expect.objectContaining({
        agreementId: 307,
        sku: 'browser-security',
        additionId: additions[0]!.id,
      }),
    ]);
    expect(await s.pending()).toEqual([]);
    // Audited as the one create it was (its values: see billing-slow-create.test.ts).
    expect((await s.changes(ref)).map((c) => [c.action, c.outcome, c.additionId])).toEqual([
      ['create', 'applied', additions[0]!.id],
    ]);
    // Retried again (a lost reply): nothing more is written.
    await admin().journal.clear();
    expect((await s.reconcile(ref, [307], { attempt: 3 }))[0]?.counts).toEqual({ noop: 1 });
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });

  test("a write ConnectWise refuses fails that line with ConnectWise's message, and is not sent again in the run", async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      products: [{ sku: 'legacy-av', name: 'Legacy AV', description: '', price: 3, cost: 1 }],
      usage: { [UMBRELLA.customerId]: { 'legacy-av': 5 } },
    });
    // The partner points the sku at an inactive catalog item: ConnectWise refuses new additions of it.
    await fx.repos.productMappings.save(s.partnerId, s.integrationId, [
      { sku: 'legacy-av', catalogItemId: 1352, source: 'partner' },
    ]);
    fx.sim.expect400(1);
    const { ref, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'failed', counts: { failed: 1 } });
    expect(outcomes[0]?.reason).toMatch(/inactive/i);
    expect(await s.changes(ref)).toEqual([
      expect.objectContaining({
        action: 'create',
        outcome: 'failed',
        message: expect.stringMatching(/inactive/i),
      }),
    ]);
    // A retry of the activity (say another agreement of its batch hit a 5xx) does not resend it.
    expect((await s.reconcile(ref, [307], { attempt: 2 }))[0]).toMatchObject({
      outcome: 'failed',
      counts: { failed: 1 },
    });
    expect((await admin().journal.counts())['POST /finance/agreements/{parentId}/additions']).toBe(
      1,
    );
  });

  test('an agreement ConnectWise no longer lets us read is skipped with the reason; nothing is written', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 1 } },
    });
    const ref = s.newRef();
    await s.prepare(ref);
    await admin().security.revoke('Finance/Agreements');
    expect(await s.reconcile(ref, [307])).toEqual([
      {
        customerId: UMBRELLA.customerId,
        agreementId: 307,
        outcome: 'skipped',
        reason: expect.stringMatching(
          /ConnectWise refused to read agreement 307: Improper security role/,
        ),
        counts: {},
      },
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
  });

  test('a 401 marks the credentials invalid and fails without retry', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 1 } },
    });
    const ref = s.newRef();
    await s.prepare(ref);
    await admin().keys.rotate();
    await expect(s.reconcile(ref, [307])).rejects.toMatchObject({
      type: 'CredentialsInvalid',
      nonRetryable: true,
    });
    expect((await fx.repos.integrations.get(s.partnerId, s.integrationId))?.state).toBe(
      'credentials_invalid',
    );
    await expect(s.reconcile(ref, [307])).rejects.toMatchObject({ type: 'CredentialsInvalid' });
  });
});

describe('concurrency', () => {
  /** The most ConnectWise requests that were in flight at once. */
  const maxInFlight = (entries: Array<{ time: string; durationMs: number }>) => {
    const edges = entries.flatMap((e) => {
      const start = Date.parse(e.time);
      return [
        [start, 1],
        [start + e.durationMs, -1],
      ] as const;
    });
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let max = 0;
    for (const [, step] of edges) max = Math.max(max, (now += step));
    return max;
  };

  test.each([1, 2])('at most %i ConnectWise calls at once', async (concurrency) => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { concurrency },
      usage: { [UMBRELLA.customerId]: { 'browser-security': 1, 'DFX-SECURE-DNS': 2, dlp: 3 } },
    });
    const ref = s.newRef();
    await s.prepare(ref);
    await admin().faults.add({
      kind: 'latency',
      ms: 150,
      method: 'POST',
      path: '/finance/agreements/{parentId}/additions',
    });
    await admin().journal.clear();
    await s.reconcile(ref, [307]);
    const posts = (await admin().journal.list()).filter((e) => e.method === 'POST');
    expect(posts).toHaveLength(3);
    expect(maxInFlight(posts)).toBe(concurrency);
  });
});
