import { additionMark } from '../../domain/billing/ledger';
import { additionRows, useBillingFixture, writesIn } from './billing-fixture';

/**
 * Go-live over billing an MSP made by hand (issue 16, case 1): the demo seed's Acme agreement 300
 * bills "DefensX Browser Security" (catalog item 1350, `DFX-BROWSER-SEC`) as addition 5001, 20
 * seats, entered by hand before the integration. The engine must never bill the product beside
 * it on its own: the addition is a candidate and the agreement waits for the partner's decision.
 */
const fx = useBillingFixture('billing-go-live');
const admin = () => fx.sim.sim.admin;

const ACME = { customerId: 'c-acme', agreementId: 300, companyId: 250 };
const open = async (agreementId: number) =>
  (await admin().state.additions(agreementId)).filter((a) => !a.cancelledDate);

async function goLive() {
  const s = await fx.setup({
    choices: [ACME],
    usage: { [ACME.customerId]: { 'browser-security': 10 } },
  });
  const before = await admin().state.additions(300);
  const first = await s.run();
  return { s, before, first };
}

describe('go-live over a hand-made addition', () => {
  test('the first run holds the agreement with the addition as a candidate, and creates nothing', async () => {
    const { s, before, first } = await goLive();
    expect(first.outcomes).toEqual([
      {
        customerId: ACME.customerId,
        agreementId: 300,
        outcome: 'held',
        reason: expect.stringContaining(
          '1 addition the engine does not own may already bill browser-security',
        ),
        counts: {},
        planned: { candidate: 1 },
      },
    ]);
    expect(writesIn(await admin().journal.list())).toEqual([]);
    expect(await admin().state.additions(300)).toEqual(before);
    const approval = await s.approval(300);
    expect(approval).toMatchObject({ status: 'pending', agreementId: 300 });
    expect(approval!.operations).toEqual([
      {
        action: 'candidate',
        sku: 'browser-security',
        additionId: 5001,
        productId: 1350,
        productIdentifier: 'DFX-BROWSER-SEC',
        description: null,
        quantity: 20,
        unitPrice: null,
        why: expect.stringMatching(/^addition 5001 bills catalog item DFX-BROWSER-SEC/),
      },
    ]);

    // A later run (nothing changed) asks the same: one pending approval, the same one.
    const again = await s.run();
    expect(again.outcomes[0]?.outcome).toBe('held');
    expect((await s.approval(300))?.approvalId).toBe(approval!.approvalId);
    expect(additionRows(await open(300))).toEqual([
      [1350, 20, null],
      [1353, 25, null],
    ]);
  });

  test("approved with 'adopt': the addition takes the usage quantity, and no second one is made", async () => {
    const { s } = await goLive();
    await s.decide(300, 'approve', [{ additionId: 5001, decision: 'adopt' }]);
    await admin().journal.clear();
    const { ref, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { adopt: 1 } });
    expect(writesIn(await admin().journal.list())).toEqual([
      'PATCH /finance/agreements/300/additions/5001',
    ]);
    expect(additionRows(await open(300))).toEqual([
      [1350, 10, null],
      [1353, 25, null],
    ]);
    expect(await s.ledger()).toEqual([
      expect.objectContaining({ additionId: 5001, sku: 'browser-security', state: 'active' }),
    ]);
    expect((await s.changes(ref)).map((c) => [c.action, c.additionId, c.from, c.to])).toEqual([
      ['adopt', 5001, { quantity: 20 }, { quantity: 10 }],
    ]);
    // From now on it is the engine's: usage changes update it, without asking.
    await s.pushUsage(ACME.customerId, { 'browser-security': 12 });
    expect((await s.run()).outcomes[0]).toMatchObject({
      outcome: 'succeeded',
      counts: { update: 1 },
    });
    expect((await open(300)).find((a) => a.id === 5001)?.quantity).toBe(12);
  });

  test("approved with 'cancel': the addition is cancelled at the period end, and the engine's own is created", async () => {
    const { s } = await goLive();
    await s.decide(300, 'approve', [{ additionId: 5001, decision: 'cancel' }]);
    const { ref, prepared, outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { cancel: 1, create: 1 } });
    const additions = await admin().state.additions(300);
    expect(additions.find((a) => a.id === 5001)?.cancelledDate?.slice(0, 10)).toBe(prepared.today);
    const ours = additions.find((a) => a.product.id === 1350 && a.id !== 5001)!;
    expect(ours).toMatchObject({
      quantity: 10,
      serialNumber: additionMark(s.integrationId, 300, 'browser-security'),
    });
    expect(await s.ledger()).toEqual([expect.objectContaining({ additionId: ours.id })]);
    const changes = await s.changes(ref);
    expect(changes.map((c) => [c.action, c.additionId, c.outcome, c.date])).toEqual(
      expect.arrayContaining([
        ['cancel', 5001, 'applied', prepared.today],
        ['create', ours.id, 'applied', prepared.today],
      ]),
    );
    expect(changes).toHaveLength(2);
    expect(changes.find((c) => c.action === 'cancel')?.message).toMatch(/the partner chose/);
    expect((await s.approval(300))?.status).toBe('applied');
    // Nothing more to decide.
    expect((await s.run()).outcomes[0]).toMatchObject({
      outcome: 'succeeded',
      counts: { noop: 1 },
    });
  });

  test("approved with 'keep_separate': the engine's own is created beside it, and no later run asks again", async () => {
    const { s } = await goLive();
    await s.decide(300, 'approve', [{ additionId: 5001, decision: 'keep_separate' }]);
    const { outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { create: 1 } });
    const additions = await open(300);
    expect(additionRows(additions)).toEqual([
      [1350, 10, null],
      [1350, 20, null],
      [1353, 25, null],
    ]);
    const ours = additions.find((a) => a.product.id === 1350 && a.id !== 5001)!;
    expect(await s.ledger()).toEqual([
      expect.objectContaining({ additionId: 5001, state: 'kept_separate' }),
      expect.objectContaining({ additionId: ours.id, state: 'active' }),
    ]);

    await s.pushUsage(ACME.customerId, { 'browser-security': 11 });
    await admin().journal.clear();
    const next = await s.run();
    expect(next.outcomes[0]).toMatchObject({ outcome: 'succeeded', counts: { update: 1 } });
    expect(writesIn(await admin().journal.list())).toEqual([
      `PATCH /finance/agreements/300/additions/${ours.id}`,
    ]);
    expect((await open(300)).find((a) => a.id === 5001)?.quantity).toBe(20);
    // The approved plan was written: the approval says so (as it does after 'adopt' or 'cancel'),
    // rather than staying 'approved' as if its writes were still to come.
    expect((await s.approval(300))?.status).toBe('applied');
  });

  test('rejected: the same plan is skipped and nothing is written; a changed plan asks again', async () => {
    const { s } = await goLive();
    await s.decide(300, 'reject');
    const rejected = await s.run();
    expect(rejected.outcomes[0]).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/rejected by Billing tester/),
    });
    expect(writesIn(await admin().journal.list())).toEqual([]);
    await s.pushUsage(ACME.customerId, { 'browser-security': 11, dlp: 2 });
    expect((await s.run()).outcomes[0]).toMatchObject({ outcome: 'held' });
    expect((await s.approval(300))?.status).toBe('pending');
  });

  test("a vendor sku of another name (the demo tenant's DFX-BROWSER-SEAT) finds the hand-made DFX-BROWSER-SEC addition by its name", async () => {
    const s = await fx.setup({
      choices: [ACME],
      products: [
        {
          sku: 'DFX-BROWSER-SEAT',
          name: 'DefensX Browser Seat',
          description: '',
          price: 4,
          cost: 2,
        },
      ],
      usage: { [ACME.customerId]: { 'DFX-BROWSER-SEAT': 10 } },
    });
    const { outcomes } = await s.run();
    expect(outcomes[0]).toMatchObject({ outcome: 'held', planned: { candidate: 1 } });
    // Its catalog item is made (only previews are dry runs), its addition is not.
    const item = (await admin().state.catalog()).find(
      (i) => i.integrationXRef === 'dfx:DFX-BROWSER-SEAT',
    );
    expect(item).toBeDefined();
    expect(writesIn(await admin().journal.list())).toEqual(['POST /procurement/catalog']);
    expect((await s.approval(300))?.operations).toEqual([
      expect.objectContaining({
        action: 'candidate',
        additionId: 5001,
        why: expect.stringMatching(/resembles DefensX Browser Seat \(sku DFX-BROWSER-SEAT\)/),
      }),
    ]);
  });
});
