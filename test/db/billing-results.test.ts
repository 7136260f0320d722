import { createRepositories } from '../../db';
import type { AgreementOutcome } from '../../domain/billing/run';
import { openTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('billing-results');
});
afterAll(() => db?.close());

const ref = { partnerId: 'p1', integrationId: 'i1', runKey: 'billing-run:i1:r.1' };
const at = new Date('2026-06-15T10:00:00Z');

const outcome = (over: Partial<AgreementOutcome> = {}): AgreementOutcome => ({
  customerId: 'c-acme',
  agreementId: 300,
  outcome: 'succeeded',
  counts: { create: 2, noop: 1 },
  ...over,
});

describe('per-customer billing results', () => {
  test('a retried batch replaces its results: one per agreement, the last attempt wins', async () => {
    const results = db.repos.billingResults;
    await results.record(ref, [
      outcome({ outcome: 'failed', reason: 'ConnectWise said 500', counts: { failed: 2 } }),
      outcome({ customerId: 'c-globex', agreementId: 303 }),
    ]);
    await results.record(ref, [outcome()], at);
    const listed = await results.listForRun('p1', 'i1', ref.runKey);
    expect(listed).toEqual([
      { ...outcome(), reason: null, source: 'reconcile', at },
      expect.objectContaining({ customerId: 'c-globex', agreementId: 303, outcome: 'succeeded' }),
    ]);
  });

  test('fields the outcome gains later are kept as given', async () => {
    const runKey = 'billing-run:i1:r.extra';
    const held = { ...outcome({ reason: 'waits for approval' }), outcome: 'held', planKey: 'k-1' };
    await db.repos.billingResults.record({ ...ref, runKey }, [held as unknown as AgreementOutcome]);
    const [stored] = await db.repos.billingResults.listForRun('p1', 'i1', runKey);
    expect(stored).toMatchObject({ outcome: 'held', reason: 'waits for approval', planKey: 'k-1' });
  });

  test("the prepared run's skips are results too, a customer without an agreement included", async () => {
    const runKey = 'billing-run:i1:r.skips';
    await db.repos.billingResults.recordSkipped({ ...ref, runKey }, [
      { customerId: 'c-a', agreementId: null, reason: 'no agreement chosen' },
      { customerId: 'c-b', agreementId: null, reason: 'not mapped' },
      { customerId: 'c-c', agreementId: 310, reason: 'agreement 310 is cancelled' },
    ]);
    await db.repos.billingResults.recordSkipped({ ...ref, runKey }, [
      { customerId: 'c-a', agreementId: null, reason: 'no agreement chosen' },
    ]);
    const listed = await db.repos.billingResults.listForRun('p1', 'i1', runKey);
    expect(listed.map((r) => [r.customerId, r.agreementId, r.outcome, r.source, r.reason])).toEqual(
      [
        ['c-a', null, 'skipped', 'prepare', 'no agreement chosen'],
        ['c-b', null, 'skipped', 'prepare', 'not mapped'],
        ['c-c', 310, 'skipped', 'prepare', 'agreement 310 is cancelled'],
      ],
    );
  });

  test('another partner, integration or run finds nothing', async () => {
    const results = db.repos.billingResults;
    expect(await results.listForRun('p2', 'i1', ref.runKey)).toEqual([]);
    expect(await results.listForRun('p1', 'i2', ref.runKey)).toEqual([]);
    expect(await results.listForRun('p1', 'i1', 'billing-run:i1:other')).toEqual([]);
  });

  test('results past BILLING_AUDIT_RETENTION_DAYS are pruned, newer ones kept', async () => {
    const repos = await createRepositories(db.conn, { BILLING_AUDIT_RETENTION_DAYS: 30 });
    expect(repos.billingResults.retentionDays).toBe(30);
    const scope = { ...ref, integrationId: 'i-prune' };
    await repos.billingResults.record(scope, [outcome()], new Date('2026-05-01T00:00:00Z'));
    await repos.billingResults.record(
      scope,
      [outcome({ agreementId: 301 })],
      new Date('2026-06-10T00:00:00Z'),
    );
    expect(
      await repos.billingResults.prune('p1', 'i-prune', new Date('2026-06-15T00:00:00Z')),
    ).toBe(1);
    const kept = await repos.billingResults.listForRun('p1', 'i-prune', ref.runKey);
    expect(kept.map((r) => r.agreementId)).toEqual([301]);
  });
});
