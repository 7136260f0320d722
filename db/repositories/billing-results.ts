import type { AgreementOutcome, BillingRunRef, SkippedAgreement } from '../../domain/billing/run';
import type {
  BILLING_RESULT_SOURCES,
  BillingResultDoc,
  BillingResultModel,
} from '../models/billing-result';
import { naturalId } from '../natural-id';
import { inKeyOrder, type KeyPage, type KeyPageRequest } from '../page';
import { Retention } from '../retention';
import { isDuplicateKey, retryOnDuplicateKey } from '../retry-duplicate';
import { DEFAULT_AUDIT_RETENTION_DAYS } from './billing-changes';

type Scope = Pick<BillingRunRef, 'partnerId' | 'integrationId' | 'runKey'>;

/**
 * One customer's result in one billing run: the `AgreementOutcome` as the activity gave it (any
 * field it has, known here or not), or a skip of the prepared run (`agreementId` may be null).
 */
export type BillingResult = Omit<AgreementOutcome, 'agreementId' | 'outcome' | 'reason'> & {
  agreementId: number | null;
  outcome: string;
  reason: string | null;
  source: (typeof BILLING_RESULT_SOURCES)[number];
  at: Date;
  [field: string]: unknown;
};

const INTERNAL = ['_id', '__v', 'partnerId', 'integrationId', 'runKey'] as const;

const toResult = (doc: BillingResultDoc): BillingResult => {
  const result: Record<string, unknown> = { ...doc };
  for (const key of INTERNAL) delete result[key];
  return {
    ...result,
    agreementId: doc.agreementId ?? null,
    reason: doc.reason ?? null,
    counts: (doc.counts as BillingResult['counts'] | undefined) ?? {},
  } as BillingResult;
};

/**
 * A reconciled agreement's result, or a prepared run's skip of a customer: apart, since a skip's
 * agreement may be reconciled in the same run for its releases alone.
 */
const idOf = (s: Scope, r: Pick<BillingResult, 'customerId' | 'agreementId' | 'source'>) =>
  naturalId(
    s.partnerId,
    s.integrationId,
    s.runKey,
    r.source === 'prepare' ? `customer:${r.customerId}` : String(r.agreementId),
  );

/**
 * Per-customer results of billing runs, kept as long as the audit trail
 * (BILLING_AUDIT_RETENTION_DAYS): a TTL index where the server has one, `prune` at each run.
 */
export class BillingResultRepository {
  private readonly retention: Retention<BillingResultDoc>;

  constructor(
    private readonly model: BillingResultModel,
    retentionDays: number = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {
    this.retention = new Retention(model, 'at', retentionDays);
  }

  get retentionDays(): number {
    return this.retention.days;
  }

  ensureRetention(): Promise<boolean> {
    return this.retention.ensure();
  }

  /** A reconcile batch's outcomes; a retried batch replaces what an earlier attempt wrote. */
  record(ref: Scope, outcomes: readonly AgreementOutcome[], at = new Date()): Promise<void> {
    return this.write(
      ref,
      outcomes.map((o) => ({ ...o, reason: o.reason ?? null, source: 'reconcile' as const, at })),
    );
  }

  /** The customers the prepared run will not bill, with why, as skipped results. */
  recordSkipped(ref: Scope, skipped: readonly SkippedAgreement[], at = new Date()): Promise<void> {
    return this.write(
      ref,
      skipped.map((s) => ({
        ...s,
        outcome: 'skipped',
        counts: {},
        source: 'prepare' as const,
        at,
      })),
    );
  }

  /** One run's results, by customer and agreement. */
  async listForRun(
    partnerId: string,
    integrationId: string,
    runKey: string,
  ): Promise<BillingResult[]> {
    const docs = await this.model
      .find({ partnerId, integrationId, runKey })
      .sort({ customerId: 1, agreementId: 1 })
      .lean()
      .exec();
    return docs.map(toResult);
  }

  /**
   * A page of one run's results in the order of their `_id` (by agreement id as text, then the
   * prepared run's skips by customer): a key both backends page on from the `_id` index.
   */
  async pageForRun(
    partnerId: string,
    integrationId: string,
    runKey: string,
    page: KeyPageRequest,
  ): Promise<KeyPage<BillingResult>> {
    // Every id of the run starts with `<partner>/<integration>/<runKey>/` (each part percent-
    // encoded, so no other run's id does): the range from that prefix to the next one ('/' + 1).
    const prefix = naturalId(partnerId, integrationId, runKey, '');
    const { items, next } = await inKeyOrder<BillingResultDoc, BillingResultDoc>(
      this.model,
      { _id: { $gt: prefix, $lt: `${prefix.slice(0, -1)}0` } },
      '_id',
      {
        limit: page.limit,
        after: page.after !== undefined && page.after > prefix ? page.after : prefix,
      },
    );
    return { items: items.map(toResult), next };
  }

  prune(partnerId: string, integrationId: string, now = new Date()): Promise<number> {
    return this.retention.prune(partnerId, integrationId, now);
  }

  private async write(scope: Scope, results: BillingResult[]): Promise<void> {
    if (results.length === 0) return;
    const { partnerId, integrationId, runKey } = scope;
    const docs = results.map((r) => ({
      _id: idOf(scope, r),
      partnerId,
      integrationId,
      runKey,
      ...r,
    }));
    // Mostly new results: one insert command. A retry (or the pass after an approval) finds some
    // stored already, and replaces them all instead.
    try {
      await this.model.insertMany(docs, { ordered: false, lean: true });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const ops = docs.map((doc) => ({
      replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true },
    }));
    await retryOnDuplicateKey(() =>
      this.model.bulkWrite(ops, { ordered: false, throwOnValidationError: true }),
    );
  }
}
