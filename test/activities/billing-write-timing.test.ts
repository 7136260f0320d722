import { addDays } from '../../domain/billing/invoice-period';
import { additionMark } from '../../domain/billing/ledger';
import { billingDay } from '../../domain/billing/time-zone';
import { additionRows, useBillingFixture, writesIn } from './billing-fixture';

/**
 * When a write happens and what it says then (issue 16): dates follow the agreement's invoicing
 * on the day of the write (case 6), and a create whose answer was lost while ConnectWise was
 * still committing it is waited out and found, never made twice (case 7).
 */
const fx = useBillingFixture('billing-write-timing');
const admin = () => fx.sim.sim.admin;

// Umbrella's 307 does not prorate; Stark's 309 prorates additions (prorateFlag and
// invoiceProratedAdditionsFlag). Both bill monthly since 2024, invoiced up to 2025-12-01 in the seed.
const UMBRELLA = { customerId: 'c-umbrella', agreementId: 307, companyId: 256 };
const STARK = { customerId: 'c-stark', agreementId: 309, companyId: 251 };
const NO_VALVE = { maxSeatDropShare: 1, maxZeroedShare: 1 };

/** Agreement Invoicing has run for the period that ends the day before `nextInvoiceDate`. */
async function invoicedUntil(agreementId: number, nextInvoiceDate: string) {
  const agreement = (await admin().state.agreements()).find((a) => a.id === agreementId)!;
  await admin().state.put('agreements', { ...agreement, nextInvoiceDate });
}

describe('dates follow the agreement invoicing', () => {
  // The billing day in UTC (the settings name the zone), and a period invoiced past it.
  const today = () => billingDay('UTC', new Date());

  test('a create on an agreement that does not prorate starts on the first day not yet invoiced', async () => {
    const next = addDays(today(), 12);
    await invoicedUntil(307, next);
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { timeZone: 'UTC' },
      usage: { [UMBRELLA.customerId]: { 'browser-security': 3 } },
    });
    const { ref, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { create: 1 } });
    const [addition] = await admin().state.additions(307);
    expect(addition).toMatchObject({ effectiveDate: `${next}T00:00:00Z`, quantity: 3 });
    expect(addition!.prorateCurrentPeriodFlag).not.toBe(true);
    expect(await s.changes(ref)).toEqual([
      expect.objectContaining({ action: 'create', date: next, message: null }),
    ]);
  });

  test('a create on an agreement that prorates additions starts today, prorated by ConnectWise', async () => {
    await invoicedUntil(309, addDays(today(), 12));
    const s = await fx.setup({
      choices: [STARK],
      policy: { timeZone: 'UTC' },
      usage: { [STARK.customerId]: { 'browser-security': 3 } },
    });
    const { ref, prepared } = await s.run();
    expect(prepared.today).toBe(today());
    const [addition] = await admin().state.additions(309);
    expect(addition).toMatchObject({
      effectiveDate: `${prepared.today}T00:00:00Z`,
      prorateCurrentPeriodFlag: true,
    });
    expect(await s.changes(ref)).toEqual([
      expect.objectContaining({
        action: 'create',
        date: prepared.today,
        message: 'prorated by ConnectWise for this period',
      }),
    ]);
  });

  test.each([
    ['zero usage under the policy cancel', 'usage'],
    [
      'a release (no agreement chosen for the customer any more) under the policy cancel',
      'release',
    ],
  ] as const)('a cancel, by %s, ends on the last day already invoiced', async (_, by) => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      policy: { timeZone: 'UTC', zeroUsage: 'cancel', ...NO_VALVE },
      usage: { [UMBRELLA.customerId]: { 'browser-security': 4 } },
    });
    await s.run();
    const next = addDays(today(), 20);
    await invoicedUntil(307, next);
    if (by === 'usage') await s.pushUsage(UMBRELLA.customerId, {});
    else await s.setSettings({ agreements: [] });
    const { ref, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({
      outcome: 'succeeded',
      counts: expect.objectContaining({ [by === 'usage' ? 'cancel' : 'release']: 1 }),
    });
    expect(additionRows(await admin().state.additions(307))).toEqual([
      [1350, 4, addDays(next, -1)],
    ]);
    expect(await s.changes(ref)).toEqual([
      expect.objectContaining({ date: addDays(next, -1), outcome: 'applied' }),
    ]);
    // Cancelled for a later day, the addition still bills today: usage coming back takes the
    // cancel back (the ledger kept it) instead of making a second one.
    if (by === 'usage') {
      await s.pushUsage(UMBRELLA.customerId, { 'browser-security': 6 });
      const back = await s.run();
      expect(back.outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { adopt: 1 } });
      expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 6, null]]);
    }
  });
});

describe('a slow create whose answer is lost', () => {
  const POST_ADDITIONS = 'POST /finance/agreements/{parentId}/additions';
  // The activities' ConnectWise write timeout (and how long a lost create is waited out).
  const WRITE_TIMEOUT_MS = 1_000;
  beforeAll(() => fx.setWriteTimeout(WRITE_TIMEOUT_MS));
  afterAll(() => fx.setWriteTimeout(undefined));

  test('is waited out while ConnectWise may still commit it, then found by its mark: one addition, audited as one create', async () => {
    const s = await fx.setup({
      choices: [UMBRELLA],
      usage: { [UMBRELLA.customerId]: { 'browser-security': 6 } },
    });
    const ref = s.newRef();
    await s.prepare(ref);
    // ConnectWise commits the create 1.5 s after it arrived, after the client gave up at 1 s.
    await admin().faults.add({
      kind: 'slowCommit',
      ms: 1_500,
      commitAt: 'end',
      method: 'POST',
      path: '/finance/agreements/{parentId}/additions',
      count: 1,
    });
    await expect(s.reconcile(ref, [307])).rejects.toMatchObject({ nonRetryable: false });
    expect(await s.pending()).toEqual([
      expect.objectContaining({ agreementId: 307, sku: 'browser-security' }),
    ]);
    expect(await admin().state.additions(307)).toEqual([]);

    // Temporal retries at once: the create is in doubt, nothing is sent, the retry comes back
    // once ConnectWise can no longer commit it late.
    let inDoubt: { type?: string; nonRetryable?: boolean; nextRetryDelay?: unknown } = {};
    await s.reconcile(ref, [307], { attempt: 2 }).catch((err: typeof inDoubt) => {
      inDoubt = err;
    });
    expect(inDoubt).toMatchObject({ type: 'BillingCreateInDoubt', nonRetryable: false });
    const delay = Number(inDoubt.nextRetryDelay);
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(WRITE_TIMEOUT_MS + 5_000);
    expect((await admin().journal.counts())[POST_ADDITIONS]).toBe(1);

    // Temporal waits the delay asked; meanwhile ConnectWise committed the first create.
    await new Promise((resolve) => setTimeout(resolve, delay + 100));
    const [committed] = await admin().state.additions(307);
    expect(committed).toMatchObject({
      quantity: 6,
      serialNumber: additionMark(s.integrationId, 307, 'browser-security'),
    });
    const found = await s.reconcile(ref, [307], { attempt: 3 });
    expect(found[0]).toMatchObject({ outcome: 'succeeded', counts: { adopt: 1 } });
    expect((await admin().journal.counts())[POST_ADDITIONS]).toBe(1);
    expect(additionRows(await admin().state.additions(307))).toEqual([[1350, 6, null]]);
    expect(await s.ledger()).toEqual([
      expect.objectContaining({ additionId: committed!.id, state: 'active' }),
    ]);
    expect(await s.pending()).toEqual([]);
    const changes = await s.changes(ref);
    expect(changes.map((c) => [c.action, c.outcome, c.additionId])).toEqual([
      ['create', 'applied', committed!.id],
    ]);
    // The next run finds it the engine's: nothing to write.
    await admin().journal.clear();
    expect((await s.run()).outcomes[0]).toMatchObject({ counts: { noop: 1 } });
    expect(writesIn(await admin().journal.list())).toEqual([]);
    // The audit line says what the create made, as any create's does.
    expect(changes[0]).toMatchObject({
      to: { quantity: 6 },
      date: committed!.effectiveDate!.slice(0, 10),
    });
  });
});
