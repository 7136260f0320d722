import { additionRows, useBillingFixture, writesIn } from './billing-fixture';

const fx = useBillingFixture('billing-guards');
const admin = () => fx.sim.sim.admin;

// Seed agreements (simulator/fixtures/demo.json): recurring and eligible, with no addition of the
// engine's products: Umbrella's 307, 303 (company 254) and 309 (company 251).
const UMBRELLA = { customerId: 'c-umbrella', agreementId: 307, companyId: 256 };
const HOOLI = { customerId: 'c-hooli', agreementId: 303, companyId: 254 };
const STARK = { customerId: 'c-stark', agreementId: 309, companyId: 251 };

const planOf = (ref: { partnerId: string; integrationId: string; runKey: string }, id: number) =>
  fx.repos.billingSnapshots.getPlan(ref, id);

describe('safety valve: a seat drop', () => {
  test('of more than half is held as a pending approval with why: nothing written; approved, the next run writes it', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
    });
    await s.run();
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 4 });
    await admin().journal.clear();
    const { outcomes } = await s.run();
    expect(outcomes).toEqual([
      expect.objectContaining({
        outcome: 'held',
        counts: {},
        planned: { update: 1 },
        reason: expect.stringContaining('seats would drop from 10 to 4 (60%)'),
      }),
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 10, null]]);
    const pending = await s.approval(307);
    expect(pending).toMatchObject({
      status: 'pending',
      customerId: UMBRELLA.customerId,
      seats: { before: 10, after: 4 },
      reasons: [outcomes[0]!.reason],
    });
    expect(pending!.operations).toEqual([
      expect.objectContaining({ action: 'update', from: { quantity: 10 }, to: { quantity: 4 } }),
    ]);

    // Held again by the next run: the same plan keeps the same pending approval.
    expect((await s.run()).outcomes[0]?.outcome).toBe('held');
    expect((await s.approval(307))?.approvalId).toBe(pending!.approvalId);

    expect(await s.decide(307, 'approve')).toMatchObject({
      status: 'approved',
      decidedBy: 'Billing tester',
    });
    expect(s.synchronized.count).toBe(1);
    const { ref, outcomes: approved } = await s.run();
    expect(approved).toEqual([
      expect.objectContaining({ outcome: 'succeeded', counts: { update: 1 } }),
    ]);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 4, null]]);
    expect((await s.changes(ref)).map((c) => [c.action, c.from, c.to])).toEqual([
      ['update', { quantity: 10 }, { quantity: 4 }],
    ]);
    expect((await s.approval(307))?.status).toBe('applied');
  });

  test('a changed plan replaces the pending approval; a rejected plan is skipped while it stays the same', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
    });
    await s.run();
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 4 });
    await s.run();
    const first = await s.approval(307);
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 3 });
    expect((await s.run()).outcomes[0]).toMatchObject({
      outcome: 'held',
      reason: expect.stringContaining('seats would drop from 10 to 3'),
    });
    const second = await s.approval(307);
    expect(second).toMatchObject({ status: 'pending', seats: { before: 10, after: 3 } });
    expect(second!.approvalId).not.toBe(first!.approvalId);
    expect(second!.planHash).not.toBe(first!.planHash);

    await s.decide(307, 'reject');
    expect(s.synchronized.count).toBe(0);
    await admin().journal.clear();
    const rejected = await s.run();
    expect(rejected.outcomes).toEqual([
      expect.objectContaining({
        outcome: 'skipped',
        reason: expect.stringMatching(/^this plan was rejected by Billing tester/),
      }),
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect((await s.approval(307))?.status).toBe('rejected');

    // Another plan is asked again.
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 2 });
    expect((await s.run()).outcomes[0]?.outcome).toBe('held');
    expect(await s.approval(307)).toMatchObject({
      status: 'pending',
      seats: { before: 10, after: 2 },
    });
  });

  test('of exactly half, or any rise, is applied at once', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 10 } },
    });
    await s.run();
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 5 });
    expect((await s.run()).outcomes[0]).toMatchObject({
      outcome: 'succeeded',
      counts: { update: 1 },
    });
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 50 });
    expect((await s.run()).outcomes[0]).toMatchObject({
      outcome: 'succeeded',
      counts: { update: 1 },
    });
  });

  test('too many customers zeroed at once are all held, with the share named', async () => {
    const choices = [UMBRELLA, HOOLI, STARK];
    const s = await fx.setup({
      choices,
      // The per-agreement rule off: this is the whole-run rule alone.
      policy: { maxSeatDropShare: 1 },
      usage: Object.fromEntries(choices.map((c) => [c.customerId, { 'browser-security': 8 }])),
    });
    await s.run();
    await s.pushUsage(UMBRELLA.customerId, {});
    await s.pushUsage(HOOLI.customerId, { 'browser-security': 0 });
    const { outcomes } = await s.run();
    const byId = new Map(outcomes.map((o) => [o.agreementId, o]));
    for (const id of [307, 303]) {
      expect(byId.get(id)).toMatchObject({
        outcome: 'held',
        reason: expect.stringContaining('2 of 3 customers (66.7%) would drop to zero seats'),
      });
      expect(additionRows(await admin().state.additions(id))).toContainEqual([1350, 8, null]);
    }
    expect(byId.get(309)).toMatchObject({ outcome: 'succeeded', counts: { noop: 1 } });

    await s.setPolicy({ maxZeroedShare: 1 });
    const next = await s.run();
    expect(next.outcomes.filter((o) => o.outcome === 'succeeded')).toHaveLength(3);
  });
});

describe('approval', () => {
  test('plan mode writes nothing and keeps every plan', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 7 } },
    });
    await admin().journal.clear();
    const { ref, outcomes } = await s.run(undefined, { mode: 'plan' });
    expect(outcomes).toEqual([
      expect.objectContaining({ outcome: 'planned', counts: {}, planned: { create: 1 } }),
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect((await planOf(ref, 307))?.operations).toEqual([
      expect.objectContaining({ action: 'create', to: { quantity: 7 } }),
    ]);
  });

  test('a run applying another plan writes nothing that plan did not show', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 7 } },
    });
    const preview = await s.run(undefined, { mode: 'plan' });
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 9 });
    await admin().journal.clear();
    const { outcomes } = await s.run(undefined, {
      mode: 'approved',
      approvedKey: preview.ref.runKey,
    });
    expect(outcomes).toEqual([
      expect.objectContaining({
        outcome: 'skipped',
        reason: expect.stringContaining('changed since the plan was approved (browser-security)'),
      }),
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);

    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 7 });
    const same = await s.run(undefined, { mode: 'approved', approvedKey: preview.ref.runKey });
    expect(same.outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { create: 1 } });
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 7, null]]);
  });

  test('approval mode holds every agreement with writes as a pending approval; one with nothing to write is in sync; prepare still creates catalog items', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA, STARK],
      usage: {
        [UMBRELLA.customerId]: { 'browser-security': 7 },
        [STARK.customerId]: { 'browser-security': 3 },
      },
    });
    await s.run();
    await s.setPolicy({ apply: 'approve' });
    await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 8, dlp: 2 });
    await admin().journal.clear();
    const { outcomes } = await s.run();
    expect(outcomes).toEqual([
      expect.objectContaining({
        agreementId: 307,
        outcome: 'held',
        reason: 'approval mode: every change waits for a person',
        planned: { update: 1, create: 1 },
      }),
      // Nothing to write (dlp, now managed, has no usage there either).
      expect.objectContaining({ agreementId: 309, outcome: 'succeeded', counts: { noop: 2 } }),
    ]);
    // Only previews are dry runs: the dlp item exists, the additions wait.
    expect(writesIn(await admin().journal.list())).toEqual(['POST /procurement/catalog']);
    expect(await s.approval(309)).toBeUndefined();
    expect((await s.approval(307))?.operations.map((op) => op.action)).toEqual([
      'update',
      'create',
    ]);

    await s.decide(307, 'approve');
    const approved = await s.run();
    expect(approved.outcomes[0]).toMatchObject({
      agreementId: 307,
      outcome: 'succeeded',
      counts: { update: 1, create: 1 },
    });
    const dlp = (await admin().state.catalog()).find((i) => i.integrationXRef === 'dfx:dlp')!;
    expect(additionRows(await admin().state.additions(307))).toEqual([
      [1350, 8, null],
      [dlp.id, 2, null],
    ]);
  });

  test('a preview creates no catalog item; the plan shows the additions a run would make', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 2, dlp: 3 } },
    });
    await admin().journal.clear();
    const ref = { ...s.newRef(), preview: true };
    const prepared = await s.prepare(ref);
    expect(prepared.catalogToCreate).toEqual(['dlp']);
    const outcomes = await s.reconcile(ref, [307], { mode: 'plan' });
    expect(outcomes[0]).toMatchObject({ outcome: 'planned', planned: { create: 2 } });
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect((await admin().state.catalog()).some((i) => i.integrationXRef === 'dfx:dlp')).toBe(
      false,
    );
  });
});

describe('stale usage', () => {
  test('usage older than the allowed age is not billed, and the reason says so', async () => {
    const s = await fx.setup({ choices: [UMBRELLA] });
    await s.pushUsage(
      UMBRELLA.customerId,
      { 'browser-security': 3 },
      new Date(Date.now() - 49 * 3_600_000),
    );
    const stale = await s.prepare(s.newRef());
    expect(stale.batches).toEqual([]);
    expect(stale.skipped).toEqual([
      expect.objectContaining({
        agreementId: 307,
        reason: expect.stringMatching(/^usage is 49 h old .*older than the 48 h a run bills/),
      }),
    ]);
    await s.setPolicy({ staleUsageHours: 72 });
    expect((await s.prepare(s.newRef())).batches).toEqual([[307]]);
  });
});
