import { createRepositories } from '../../db';
import type { BillingChange } from '../../db';
import { DEFAULT_BILLING_POLICY } from '../../domain/billing/settings';
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
  at: new Date('2026-06-15T10:00:00Z'),
  ...over,
});

describe('billing audit trail', () => {
  test('one record per run, agreement and sku: a retry rewrites it', async () => {
    const changes = db.repos.billingChanges;
    await changes.record(change({ outcome: 'failed', message: 'boom' }));
    await changes.record(change());
    const listed = await changes.listForRun('p1', 'i1', 'billing-run:i1:a.1');
    expect(listed).toEqual([change()]);
  });

  test('keepExisting leaves the first record of a retried change as it was', async () => {
    const changes = db.repos.billingChanges;
    const key = { runKey: 'billing-run:i1:a.2' };
    await changes.record(change(key));
    await changes.record(change({ ...key, action: 'adopt', to: null }), { keepExisting: true });
    expect(await changes.get({ ...change(key) })).toEqual(change(key));
    await changes.record(change({ ...key, sku: 'dlp', action: 'adopt', to: null }), {
      keepExisting: true,
    });
    expect((await changes.get(change({ ...key, sku: 'dlp' })))?.action).toBe('adopt');
  });

  test('another partner never sees the records', async () => {
    expect(await db.repos.billingChanges.listForRun('p2', 'i1', 'billing-run:i1:a.1')).toEqual([]);
  });

  test('records past the retention are pruned, newer ones kept', async () => {
    const changes = db.repos.billingChanges;
    const runKey = 'billing-run:i1:old';
    await changes.record(change({ runKey, at: new Date('2024-01-01T00:00:00Z') }));
    await changes.record(change({ runKey, sku: 'new', at: new Date('2026-06-01T00:00:00Z') }));
    const pruned = await changes.prune('p1', 'i1', new Date('2026-06-15T00:00:00Z'));
    expect(pruned).toBe(1);
    expect((await changes.listForRun('p1', 'i1', runKey)).map((c) => c.sku)).toEqual(['new']);
  });

  test('the retention follows BILLING_AUDIT_RETENTION_DAYS', async () => {
    const repos = await createRepositories(db.conn, { BILLING_AUDIT_RETENTION_DAYS: 30 });
    expect(repos.billingChanges.retentionDays).toBe(30);
    const runKey = 'billing-run:i1:short';
    await repos.billingChanges.record(change({ runKey, at: new Date('2026-05-01T00:00:00Z') }));
    expect(await repos.billingChanges.prune('p1', 'i1', new Date('2026-06-15T00:00:00Z'))).toBe(1);
    expect(db.repos.billingChanges.retentionDays).toBe(400);
  });
});

describe('addition links', () => {
  test('saved once per agreement and sku, replaced, removed', async () => {
    const links = db.repos.additionLinks;
    await links.save('p1', 'i1', 300, { sku: 'seat', additionId: 1 });
    await links.save('p1', 'i1', 300, { sku: 'seat', additionId: 1 });
    await links.save('p1', 'i1', 300, { sku: 'dlp', additionId: 2 });
    await links.save('p1', 'i1', 301, { sku: 'seat', additionId: 3 });
    await links.save('p1', 'i1', 300, { sku: 'dlp', additionId: 4 });
    await links.save('p2', 'i1', 300, { sku: 'seat', additionId: 9 });
    await links.remove('p1', 'i1', 301, 'seat');
    const listed = await links.list('p1', 'i1');
    expect(listed.sort((a, b) => a.sku.localeCompare(b.sku))).toEqual([
      { agreementId: 300, sku: 'dlp', additionId: 4 },
      { agreementId: 300, sku: 'seat', additionId: 1 },
    ]);
    expect(await links.forAgreement('p1', 'i1', 300, ['seat', 'nope', 'seat'])).toEqual([
      { sku: 'seat', additionId: 1 },
    ]);
    expect(await links.forAgreement('p2', 'i1', 300, ['dlp'])).toEqual([]);
  });
});

describe('run snapshots', () => {
  const ref = {
    partnerId: 'p1',
    integrationId: 'i1',
    runKey: 'billing-run:i1:s.1',
    trigger: 'schedule' as const,
  };

  test('a run and its agreements read back as written; another run or partner finds nothing', async () => {
    const snaps = db.repos.billingSnapshots;
    const createdAt = new Date();
    const agreement = {
      agreementId: 300,
      customerId: 'c1',
      companyId: 250,
      usageAsOf: new Date('2026-06-14T00:00:00Z'),
      lines: [{ sku: 'seat', quantity: 4, asOf: new Date('2026-06-14T00:00:00Z') }],
      links: [{ sku: 'seat', additionId: 5000 }],
    };
    await snaps.saveAgreements(ref, [{ ...agreement, lines: [] }], createdAt);
    // A prepare retried after it stored the agreements overwrites them (and adds the rest).
    await snaps.saveAgreements(ref, [agreement, { ...agreement, agreementId: 301 }], createdAt);
    expect((await snaps.getAgreement(ref, 301))?.agreementId).toBe(301);
    expect(await snaps.getRun(ref)).toBeUndefined();
    const run = {
      ref,
      today: '2026-06-15',
      policy: DEFAULT_BILLING_POLICY,
      products: [{ sku: 'seat', catalogItemId: 1350, price: 4, cost: 2 }],
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
    const a = (agreementId: number) => ({
      agreementId,
      customerId: `c${agreementId}`,
      companyId: 250,
      usageAsOf: new Date('2026-06-14T00:00:00Z'),
      lines: [{ sku: 'seat', quantity: agreementId, asOf: new Date('2026-06-14T00:00:00Z') }],
      links: [{ sku: 'seat', additionId: 5000 + agreementId }],
    });
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
    // A run prepared before batch documents: one document per agreement.
    const legacy = { ...ref, runKey: 'billing-run:i1:s.legacy' };
    await snaps.saveAgreements(legacy, [a(7), a(8)], createdAt);
    expect([...(await snaps.getAgreements(legacy, [7, 8])).values()]).toEqual([a(7), a(8)]);
  });

  test('snapshots older than two weeks are pruned', async () => {
    const snaps = db.repos.billingSnapshots;
    const old = { ...ref, runKey: 'billing-run:i1:old' };
    await snaps.saveAgreements(
      old,
      [{ agreementId: 1, customerId: 'c', companyId: 1, usageAsOf: null, lines: [], links: [] }],
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(await snaps.prune('p1', 'i1', new Date('2026-02-01T00:00:00Z'))).toBe(1);
    expect(await snaps.getAgreement(old, 1)).toBeUndefined();
  });
});
