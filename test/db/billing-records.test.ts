import { createRepositories } from '../../db';
import type { BillingChange, LedgerScope, NewApproval } from '../../db';
import type { AgreementSnapshot, RunSnapshot } from '../../db';
import { DEFAULT_BILLING_POLICY } from '../../domain/billing/settings';
import type { LedgerEntry } from '../../domain/billing/types';
import { openTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('billing-records');
});
afterAll(() => db?.close());

const change = (over: Partial<BillingChange> = {}): BillingChange => ({
  partnerId: 'p1',
  integrationId: 'i1',
  runKey: 'billing-run:i1:a.1',
  trigger: 'manual',
  customerId: 'c1',
  agreementId: 300,
  sku: 'seat',
  additionId: 7001,
  action: 'create',
  from: null,
  to: { quantity: 5 },
  outcome: 'applied',
  message: null,
  date: null,
  at: new Date('2026-06-15T10:00:00Z'),
  ...over,
});

describe('billing audit trail', () => {
  test('one record per run, agreement, sku and slot: a retry rewrites it', async () => {
    const changes = db.repos.billingChanges;
    await changes.record(change({ outcome: 'failed', message: 'boom' }), { slot: 'create' });
    await changes.record(change({ date: '2026-06-15' }), { slot: 'create' });
    const listed = await changes.listForRun('p1', 'i1', 'billing-run:i1:a.1');
    expect(listed).toEqual([change({ date: '2026-06-15' })]);
    expect(await changes.get({ ...change(), slot: 'create' })).toEqual(
      change({ date: '2026-06-15' }),
    );
    expect(await changes.get({ ...change(), slot: 'other' })).toBeUndefined();
  });

  test('two writes of one sku on one agreement in one run (a release and a create) are two records', async () => {
    const changes = db.repos.billingChanges;
    const runKey = 'billing-run:i1:a.slots';
    const release = change({
      runKey,
      action: 'release',
      additionId: 6000,
      from: { quantity: 3 },
      to: { quantity: 0 },
      message: 'customer c1 moved to agreement 301',
    });
    const create = change({ runKey, additionId: 7002 });
    await changes.record(release, { slot: 'release:6000' });
    await changes.record(create, { slot: 'create' });
    const listed = await changes.listForRun('p1', 'i1', runKey);
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([release, create]));
    expect(await changes.get({ ...release, slot: 'release:6000' })).toEqual(release);
    expect(await changes.get({ ...create, slot: 'create' })).toEqual(create);
  });

  test('keepExisting leaves the first record of a retried change as it was', async () => {
    const changes = db.repos.billingChanges;
    const key = { runKey: 'billing-run:i1:a.2' };
    await changes.record(change(key), { slot: 's' });
    await changes.record(change({ ...key, action: 'adopt', to: null }), {
      keepExisting: true,
      slot: 's',
    });
    expect(await changes.get({ ...change(key), slot: 's' })).toEqual(change(key));
    await changes.record(change({ ...key, sku: 'dlp', action: 'adopt', to: null }), {
      keepExisting: true,
      slot: 's',
    });
    expect((await changes.get({ ...change({ ...key, sku: 'dlp' }), slot: 's' }))?.action).toBe(
      'adopt',
    );
  });

  test('another partner never sees the records', async () => {
    expect(await db.repos.billingChanges.listForRun('p2', 'i1', 'billing-run:i1:a.1')).toEqual([]);
    expect(
      await db.repos.billingChanges.get({ ...change(), partnerId: 'p2', slot: 'create' }),
    ).toBeUndefined();
  });

  test('records past the retention are pruned, newer ones kept', async () => {
    const changes = db.repos.billingChanges;
    const runKey = 'billing-run:i1:old';
    await changes.record(change({ runKey, at: new Date('2024-01-01T00:00:00Z') }), { slot: 's' });
    await changes.record(change({ runKey, sku: 'new', at: new Date('2026-06-01T00:00:00Z') }), {
      slot: 's',
    });
    const pruned = await changes.prune('p1', 'i1', new Date('2026-06-15T00:00:00Z'));
    expect(pruned).toBe(1);
    expect((await changes.listForRun('p1', 'i1', runKey)).map((c) => c.sku)).toEqual(['new']);
  });

  test('the retention follows BILLING_AUDIT_RETENTION_DAYS', async () => {
    const repos = await createRepositories(db.conn, { BILLING_AUDIT_RETENTION_DAYS: 30 });
    expect(repos.billingChanges.retentionDays).toBe(30);
    const runKey = 'billing-run:i1:short';
    await repos.billingChanges.record(change({ runKey, at: new Date('2026-05-01T00:00:00Z') }), {
      slot: 's',
    });
    expect(await repos.billingChanges.prune('p1', 'i1', new Date('2026-06-15T00:00:00Z'))).toBe(1);
    expect(db.repos.billingChanges.retentionDays).toBe(400);
  });
});

describe('billing ledger', () => {
  const scope: LedgerScope = { partnerId: 'p1', integrationId: 'i1', tenantKey: 't1' };
  const entry = (over: Partial<LedgerEntry> & { additionId: number }): LedgerEntry => ({
    agreementId: 300,
    sku: 'seat',
    productId: 1350,
    customerId: 'c1',
    state: 'active',
    ...over,
  });
  const byId = (entries: LedgerEntry[]) =>
    [...entries].sort((x, y) => x.agreementId - y.agreementId || x.additionId - y.additionId);

  test('saved once per agreement and addition, rewritten in place, removed', async () => {
    const ledger = db.repos.billingLedger;
    await ledger.save(scope, entry({ additionId: 1 }));
    await ledger.save(scope, entry({ additionId: 1 }));
    await ledger.save(scope, entry({ additionId: 2, sku: 'dlp', productId: 1351 }));
    await ledger.save(scope, entry({ additionId: 3, agreementId: 301 }));
    // The same addition saved again changes state (released under `leave`) without a second entry.
    await ledger.save(scope, entry({ additionId: 2, sku: 'dlp', productId: 1351, state: 'left' }));
    await ledger.save(scope, entry({ additionId: 4, customerId: '', state: 'kept_separate' }));
    await ledger.remove(scope, 301, 3);
    // Removing what is not there is fine.
    await ledger.remove(scope, 301, 3);
    const listed = await ledger.list(scope);
    expect(byId(listed.entries)).toEqual([
      entry({ additionId: 1 }),
      entry({ additionId: 2, sku: 'dlp', productId: 1351, state: 'left' }),
      entry({ additionId: 4, customerId: '', state: 'kept_separate' }),
    ]);
    expect(listed.pending).toEqual([]);
    expect(byId((await ledger.forAgreement(scope, 300)).entries).map((e) => e.additionId)).toEqual([
      1, 2, 4,
    ]);
    expect(await ledger.forAgreement(scope, 301)).toEqual({ entries: [], pending: [] });
  });

  test('reads filter on the tenant, the partner and the integration', async () => {
    const ledger = db.repos.billingLedger;
    const s = { ...scope, integrationId: 'i-tenant' };
    await ledger.save(s, entry({ additionId: 10 }));
    await ledger.save({ ...s, tenantKey: 't2' }, entry({ additionId: 11 }));
    await ledger.save({ ...s, partnerId: 'p2' }, entry({ additionId: 12 }));
    await ledger.markPending({ ...s, tenantKey: 't2' }, 300, 'dlp', new Date());
    expect((await ledger.list(s)).entries.map((e) => e.additionId)).toEqual([10]);
    expect((await ledger.list(s)).pending).toEqual([]);
    expect((await ledger.forAgreement(s, 300)).entries.map((e) => e.additionId)).toEqual([10]);
    expect((await ledger.list({ ...s, tenantKey: 't2' })).entries.map((e) => e.additionId)).toEqual(
      [11],
    );
    expect((await ledger.list({ ...s, tenantKey: 't2' })).pending.map((p) => p.sku)).toEqual([
      'dlp',
    ]);
    expect((await ledger.list({ ...s, partnerId: 'p2' })).entries.map((e) => e.additionId)).toEqual(
      [12],
    );
    expect(await ledger.list({ ...s, partnerId: 'p3' })).toEqual({ entries: [], pending: [] });
  });

  test('a pending create is listed apart from the entries until it is cleared', async () => {
    const ledger = db.repos.billingLedger;
    const s = { ...scope, integrationId: 'i-pending' };
    const sentAt = new Date('2026-06-15T10:00:00.000Z');
    await ledger.save(s, entry({ additionId: 20 }));
    await ledger.markPending(s, 300, 'dlp', new Date('2026-06-15T09:00:00.000Z'));
    // Marked again (a retry sends again): one pending create, the later time.
    await ledger.markPending(s, 300, 'dlp', sentAt);
    await ledger.markPending(s, 301, 'seat', sentAt);
    const listed = await ledger.list(s);
    expect(listed.entries.map((e) => e.additionId)).toEqual([20]);
    expect([...listed.pending].sort((x, y) => x.agreementId - y.agreementId)).toEqual([
      { agreementId: 300, sku: 'dlp', sentAt: sentAt.toISOString() },
      { agreementId: 301, sku: 'seat', sentAt: sentAt.toISOString() },
    ]);
    expect(await ledger.forAgreement(s, 300)).toEqual({
      entries: [entry({ additionId: 20 })],
      pending: [{ agreementId: 300, sku: 'dlp', sentAt: sentAt.toISOString() }],
    });
    await ledger.clearPending(s, 300, 'dlp');
    await ledger.clearPending(s, 300, 'dlp');
    expect((await ledger.forAgreement(s, 300)).pending).toEqual([]);
    expect((await ledger.list(s)).pending.map((p) => p.agreementId)).toEqual([301]);
    // A pending create and an entry of the same sku do not overwrite each other.
    await ledger.markPending(s, 300, 'seat', sentAt);
    expect((await ledger.forAgreement(s, 300)).entries).toEqual([entry({ additionId: 20 })]);
    await ledger.remove(s, 300, 20);
    expect((await ledger.forAgreement(s, 300)).pending.map((p) => p.sku)).toEqual(['seat']);
  });
});

describe('billing approvals', () => {
  const scope = { partnerId: 'p1', integrationId: 'i-approvals' };
  const NOW = new Date('2026-06-15T10:00:00Z');
  const LATER = new Date('2026-06-22T10:00:00Z');
  const approval = (over: Partial<NewApproval> & { agreementId: number }): NewApproval => ({
    approvalId: `ap-${over.agreementId}`,
    ...scope,
    tenantKey: 't1',
    customerId: 'c1',
    companyId: 250,
    runKey: 'billing-run:i-approvals:1',
    planHash: `h-${over.agreementId}`,
    reasons: ['seats would drop from 10 to 0'],
    operations: [
      {
        action: 'update',
        sku: 'seat',
        additionId: 5000 + over.agreementId,
        from: { quantity: 10 },
        to: { quantity: 0 },
      },
    ],
    seats: { before: 10, after: 0 },
    createdAt: NOW,
    expiresAt: LATER,
    ...over,
  });
  const pendingIds = async (s = { ...scope, tenantKey: 't1' }, now = NOW, customerId?: string) =>
    (
      await db.repos.billingApprovals.listPending(s, {
        limit: 100,
        now,
        ...(customerId ? { customerId } : {}),
      })
    ).items.map((a) => a.agreementId);

  test('a pending approval reads back as put; a newer plan replaces it', async () => {
    const approvals = db.repos.billingApprovals;
    const s = { ...scope, integrationId: 'i-put' };
    const first = approval({ ...s, agreementId: 300 });
    await approvals.putPending(first);
    expect(await approvals.get(s, 300)).toEqual({ ...first, status: 'pending', decisions: [] });
    const second = approval({
      ...s,
      agreementId: 300,
      approvalId: 'ap-300-b',
      planHash: 'h-300-b',
      reasons: ['approval mode'],
      operations: [{ action: 'create', sku: 'dlp', productId: 1351, to: { quantity: 2 } }],
      seats: { before: 0, after: 2 },
    });
    // Even over a decided one: the new plan is pending again, its decisions cleared.
    await approvals.decide(
      s,
      300,
      { approvalId: 'ap-300', planHash: 'h-300', now: NOW },
      { status: 'approved', by: 'alice', decisions: [{ additionId: 1, decision: 'adopt' }] },
    );
    await approvals.putPending(second);
    const got = await approvals.get(s, 300);
    expect(got).toEqual({ ...second, status: 'pending', decisions: [] });
    expect(got?.decidedBy).toBeUndefined();
    expect(await approvals.get(s, 301)).toBeUndefined();
    expect(await approvals.get({ ...s, partnerId: 'p2' }, 300)).toBeUndefined();
  });

  test('a decision is recorded only on the current pending plan, before it expires', async () => {
    const approvals = db.repos.billingApprovals;
    const s = { ...scope, integrationId: 'i-decide' };
    await approvals.putPending(approval({ ...s, agreementId: 300 }));
    const expect300 = { approvalId: 'ap-300', planHash: 'h-300', now: NOW };
    const yes = {
      status: 'approved' as const,
      by: 'alice',
      decisions: [{ additionId: 77, decision: 'keep_separate' as const }],
    };
    // Another approval id (superseded), another plan hash, or past its expiry: nothing recorded.
    expect(
      await approvals.decide(s, 300, { ...expect300, approvalId: 'old' }, yes),
    ).toBeUndefined();
    expect(
      await approvals.decide(s, 300, { ...expect300, planHash: 'other' }, yes),
    ).toBeUndefined();
    expect(await approvals.decide(s, 300, { ...expect300, now: LATER }, yes)).toBeUndefined();
    expect(
      await approvals.decide(s, 300, { ...expect300, now: new Date(LATER.getTime() + 1) }, yes),
    ).toBeUndefined();
    expect(await approvals.decide(s, 301, expect300, yes)).toBeUndefined();
    expect(await approvals.decide({ ...s, partnerId: 'p2' }, 300, expect300, yes)).toBeUndefined();
    expect((await approvals.get(s, 300))?.status).toBe('pending');

    const decided = await approvals.decide(s, 300, expect300, yes);
    expect(decided).toMatchObject({
      approvalId: 'ap-300',
      status: 'approved',
      decidedBy: 'alice',
      decidedAt: NOW,
      decisions: [{ additionId: 77, decision: 'keep_separate' }],
    });
    expect(await approvals.get(s, 300)).toEqual(decided);
    // Decided once: a second decision (even the same one) is refused.
    expect(
      await approvals.decide(s, 300, expect300, { status: 'rejected', by: 'bob', decisions: [] }),
    ).toBeUndefined();
    expect((await approvals.get(s, 300))?.status).toBe('approved');

    // Rejection works the same way.
    await approvals.putPending(approval({ ...s, agreementId: 302 }));
    const no = await approvals.decide(
      s,
      302,
      { approvalId: 'ap-302', planHash: 'h-302', now: NOW },
      { status: 'rejected', by: 'bob', decisions: [] },
    );
    expect(no).toMatchObject({ status: 'rejected', decidedBy: 'bob' });

    // markApplied only moves an approved plan, of that approval id.
    await approvals.markApplied(s, 300, 'old');
    expect((await approvals.get(s, 300))?.status).toBe('approved');
    await approvals.markApplied(s, 302, 'ap-302');
    expect((await approvals.get(s, 302))?.status).toBe('rejected');
    await approvals.markApplied(s, 300, 'ap-300');
    expect((await approvals.get(s, 300))?.status).toBe('applied');
    const live = await approvals.listLive({ ...s, tenantKey: 't1' });
    expect(live.map((a) => `${a.agreementId}:${a.status}`)).toEqual(['302:rejected']);
  });

  test('pending approvals list by tenant, expiry and customer, a page at a time', async () => {
    const approvals = db.repos.billingApprovals;
    const t1 = { ...scope, tenantKey: 't1' };
    await approvals.putPending(approval({ agreementId: 305 }));
    await approvals.putPending(approval({ agreementId: 301, customerId: 'c2' }));
    await approvals.putPending(approval({ agreementId: 303 }));
    await approvals.putPending(approval({ agreementId: 302 }));
    await approvals.putPending(approval({ agreementId: 304, tenantKey: 't2' }));
    await approvals.putPending(
      approval({ agreementId: 306, expiresAt: new Date('2026-06-15T09:59:59Z') }),
    );
    await approvals.putPending(approval({ agreementId: 307 }));
    await approvals.decide(
      scope,
      307,
      { approvalId: 'ap-307', planHash: 'h-307', now: NOW },
      { status: 'approved', by: 'alice', decisions: [] },
    );
    await approvals.putPending(approval({ agreementId: 308, partnerId: 'p2' }));
    await approvals.putPending(approval({ agreementId: 309, integrationId: 'i-other' }));

    expect(await pendingIds(t1)).toEqual([301, 302, 303, 305]);
    expect(await pendingIds({ ...scope, tenantKey: 't2' })).toEqual([304]);
    expect(await pendingIds(t1, NOW, 'c2')).toEqual([301]);
    expect(await pendingIds(t1, NOW, 'c1')).toEqual([302, 303, 305]);
    expect(await pendingIds(t1, NOW, 'nobody')).toEqual([]);
    // A week later every one of them has expired.
    expect(await pendingIds(t1, LATER)).toEqual([]);
    // An hour earlier 306 had not expired yet.
    expect(await pendingIds(t1, new Date('2026-06-15T09:00:00Z'))).toEqual([
      301, 302, 303, 305, 306,
    ]);

    // Pages of two: `next` is the last agreement of the page while more follow.
    const page1 = await approvals.listPending(t1, { limit: 2, now: NOW });
    expect(page1.items.map((a) => a.agreementId)).toEqual([301, 302]);
    expect(page1.next).toBe(302);
    const page2 = await approvals.listPending(t1, { limit: 2, now: NOW, afterAgreementId: 302 });
    expect(page2.items.map((a) => a.agreementId)).toEqual([303, 305]);
    expect(page2.next).toBeNull();
    const exact = await approvals.listPending(t1, { limit: 4, now: NOW });
    expect(exact.items).toHaveLength(4);
    expect(exact.next).toBeNull();
    const page1c1 = await approvals.listPending(t1, { limit: 1, now: NOW, customerId: 'c1' });
    expect(page1c1.items.map((a) => a.agreementId)).toEqual([302]);
    expect(page1c1.next).toBe(302);
    expect(page1c1.items[0]).toEqual({
      ...approval({ agreementId: 302 }),
      status: 'pending',
      decisions: [],
    });
  });

  test('expireAll expires what is pending or approved, and nothing of another integration', async () => {
    const approvals = db.repos.billingApprovals;
    const s = { ...scope, integrationId: 'i-expire' };
    const other = { ...scope, integrationId: 'i-expire-other' };
    await approvals.putPending(approval({ ...s, agreementId: 1 }));
    await approvals.putPending(approval({ ...s, agreementId: 2 }));
    await approvals.putPending(approval({ ...s, agreementId: 3 }));
    await approvals.putPending(approval({ ...s, agreementId: 4 }));
    await approvals.putPending(approval({ ...other, agreementId: 1 }));
    const decide = (id: number, status: 'approved' | 'rejected') =>
      approvals.decide(
        s,
        id,
        { approvalId: `ap-${id}`, planHash: `h-${id}`, now: NOW },
        { status, by: 'alice', decisions: [] },
      );
    await decide(2, 'approved');
    await decide(3, 'rejected');
    await decide(4, 'approved');
    await approvals.markApplied(s, 4, 'ap-4');

    expect(await approvals.expireAll(s)).toBe(2);
    const status = async (id: number) => (await approvals.get(s, id))?.status;
    expect([await status(1), await status(2), await status(3), await status(4)]).toEqual([
      'expired',
      'expired',
      'rejected',
      'applied',
    ]);
    expect((await approvals.get(other, 1))?.status).toBe('pending');
    expect(await pendingIds({ ...s, tenantKey: 't1' })).toEqual([]);
    expect((await approvals.listLive({ ...s, tenantKey: 't1' })).map((a) => a.agreementId)).toEqual(
      [3],
    );
    // An expired approval cannot be decided any more.
    expect(await decide(1, 'approved')).toBeUndefined();
    expect(await approvals.expireAll(s)).toBe(0);
  });
});

describe('run snapshots', () => {
  const ref = {
    partnerId: 'p1',
    integrationId: 'i1',
    runKey: 'billing-run:i1:s.1',
    trigger: 'schedule' as const,
  };
  const asOf = new Date('2026-06-14T00:00:00Z');
  const snapshot = (agreementId: number): AgreementSnapshot => ({
    agreementId,
    customerId: `c${agreementId}`,
    companyId: 250,
    usageAsOf: asOf,
    lines: [{ sku: 'seat', quantity: agreementId, asOf }],
    ledger: [
      {
        agreementId,
        additionId: 5000 + agreementId,
        sku: 'seat',
        productId: 1350,
        customerId: `c${agreementId}`,
        state: 'active',
      },
    ],
    pending: [],
    releases: [],
    invoicing: null,
  });

  test('a run and its agreements read back as written; another run or partner finds nothing', async () => {
    const snaps = db.repos.billingSnapshots;
    const createdAt = new Date();
    const agreement: AgreementSnapshot = {
      ...snapshot(300),
      customerId: 'c1',
      ledger: [
        {
          agreementId: 300,
          additionId: 5000,
          sku: 'seat',
          productId: 1350,
          customerId: 'c1',
          state: 'active',
        },
        {
          agreementId: 300,
          additionId: 4000,
          sku: 'dlp',
          productId: 1351,
          customerId: 'c0',
          state: 'left',
        },
        {
          agreementId: 300,
          additionId: 3000,
          sku: 'seat',
          productId: 1350,
          customerId: '',
          state: 'kept_separate',
        },
      ],
      pending: [{ agreementId: 300, sku: 'web', sentAt: '2026-06-14T23:00:00.000Z' }],
      releases: [{ additionId: 4000, reason: 'customer c0 moved to agreement 310' }],
      invoicing: {
        billingCycle: 'Monthly',
        nextInvoiceDate: '2026-07-01',
        billStartDate: '2025-01-01',
        prorateFlag: true,
        invoiceProratedAdditionsFlag: false,
      },
      approval: { approvalId: 'ap-1', status: 'pending', planHash: 'h1' },
      hold: 'seats would drop from 10 to 0',
    };
    await snaps.saveAgreements(ref, [{ ...agreement, lines: [] }], createdAt);
    // A prepare retried after it stored the agreements overwrites them (and adds the rest).
    await snaps.saveAgreements(ref, [agreement, { ...agreement, agreementId: 301 }], createdAt);
    expect((await snaps.getAgreement(ref, 301))?.agreementId).toBe(301);
    expect(await snaps.getRun(ref)).toBeUndefined();
    const run: RunSnapshot = {
      ref,
      tenantKey: 't1',
      today: '2026-06-15',
      zone: 'America/New_York',
      policy: DEFAULT_BILLING_POLICY,
      products: [{ sku: 'seat', name: 'DefensX Seat', catalogItemId: 1350, price: 4, cost: 2 }],
      skippedSkus: [],
      prepared: { today: '2026-06-15', batches: [[300]], skipped: [] },
      createdAt,
    };
    await snaps.saveRun(run);
    expect(await snaps.getRun(ref)).toEqual(run);
    expect(await snaps.getAgreement(ref, 300)).toEqual(agreement);
    expect(await snaps.getAgreement({ ...ref, partnerId: 'p2' }, 300)).toBeUndefined();
    expect(await snaps.getRun({ ...ref, runKey: 'billing-run:i1:s.2' })).toBeUndefined();
  });

  test('agreements stored as batch documents read back in one read a batch; runs stored per agreement still read', async () => {
    const snaps = db.repos.billingSnapshots;
    const createdAt = new Date();
    const batchRef = { ...ref, runKey: 'billing-run:i1:s.batches' };
    const a = snapshot;
    await snaps.saveBatches(batchRef, [[a(1)], [a(2), a(3)]], createdAt);
    // A retried prepare overwrites them.
    await snaps.saveBatches(
      batchRef,
      [
        [a(1), a(4)],
        [a(2), a(3)],
      ],
      createdAt,
    );
    const read = await snaps.getAgreements(batchRef, [2, 3]);
    expect([...read.values()]).toEqual([a(2), a(3)]);
    expect([...(await snaps.getAgreements(batchRef, [1, 4])).keys()]).toEqual([1, 4]);
    // Not one of the stored batches: what exists is found, what does not is absent.
    expect([...(await snaps.getAgreements(batchRef, [3, 9])).keys()]).toEqual([]);
    expect(await snaps.getAgreements({ ...batchRef, partnerId: 'p2' }, [2, 3])).toEqual(new Map());
    expect(await snaps.getAgreements(batchRef, [])).toEqual(new Map());
    // A run prepared before batch documents: one document per agreement.
    const legacy = { ...ref, runKey: 'billing-run:i1:s.legacy' };
    await snaps.saveAgreements(legacy, [a(7), a(8)], createdAt);
    expect([...(await snaps.getAgreements(legacy, [7, 8])).values()]).toEqual([a(7), a(8)]);
  });

  test('ids spread over three stored batches are all read, each batch once', async () => {
    const snaps = db.repos.billingSnapshots;
    const createdAt = new Date();
    const spreadRef = { ...ref, runKey: 'billing-run:i1:s.spread' };
    const batches = [
      [10, 11, 12],
      [20, 21],
      [30, 31, 32],
    ];
    await snaps.saveBatches(
      spreadRef,
      batches.map((b) => b.map(snapshot)),
      createdAt,
    );
    const ids = [11, 21, 32, 10, 30];
    // One read per batch document: the run's batches name which document holds which id.
    const model = db.conn.models.BillingSnapshot!;
    const findOne = jest.spyOn(model, 'findOne');
    const read = await snaps.getAgreements(spreadRef, ids, batches);
    expect(findOne).toHaveBeenCalledTimes(3);
    findOne.mockRestore();
    expect([...read.keys()].sort((x, y) => x - y)).toEqual([10, 11, 21, 30, 32]);
    for (const id of ids) expect(read.get(id)).toEqual(snapshot(id));
    // Every agreement of the run at once.
    const all = await snaps.getAgreements(spreadRef, batches.flat(), batches);
    expect([...all.keys()].sort((x, y) => x - y)).toEqual(batches.flat());
    // Ids that no batch holds are absent, the others still read.
    const some = await snaps.getAgreements(spreadRef, [12, 99, 31], batches);
    expect([...some.keys()].sort((x, y) => x - y)).toEqual([12, 31]);
    // Only the batch holding the id is read: a batch not given is not looked at.
    const partial = await snaps.getAgreements(spreadRef, [20, 30], [batches[1]!]);
    expect([...partial.keys()]).toEqual([20]);
  });

  test('snapshots older than two weeks are pruned', async () => {
    const snaps = db.repos.billingSnapshots;
    const old = { ...ref, runKey: 'billing-run:i1:old' };
    await snaps.saveAgreements(
      old,
      [
        {
          agreementId: 1,
          customerId: 'c',
          companyId: 1,
          usageAsOf: null,
          lines: [],
          ledger: [],
          pending: [],
          releases: [],
          invoicing: null,
        },
      ],
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(await snaps.prune('p1', 'i1', new Date('2026-02-01T00:00:00Z'))).toBe(1);
    expect(await snaps.getAgreement(old, 1)).toBeUndefined();
  });
});
