import type { BillingTrigger } from '../../domain/billing/run';
import type { AdditionValues, PlannedOperation } from '../../domain/billing/types';
import type {
  BILLING_CHANGE_OUTCOMES,
  BillingChangeDoc,
  BillingChangeModel,
} from '../models/billing-change';
import { naturalId } from '../natural-id';
import { newestFirst, pageKeyOf, type Page, type PageRequest } from '../page';
import { Retention } from '../retention';
import { retryOnDuplicateKey } from '../retry-duplicate';

export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** One audited change of one sku's addition on one agreement, in one run. */
export interface BillingChange {
  partnerId: string;
  integrationId: string;
  runKey: string;
  trigger: BillingTrigger;
  customerId: string;
  agreementId: number;
  sku: string;
  additionId: number | null;
  action: Exclude<PlannedOperation['action'], 'noop'>;
  from: AdditionValues | null;
  to: AdditionValues | null;
  outcome: (typeof BILLING_CHANGE_OUTCOMES)[number];
  /** ConnectWise's message for a failure; the reason of a skip, release, forget or cancel. */
  message: string | null;
  /** The date the write carried (effectiveDate or cancelledDate), yyyy-MM-dd. */
  date?: string | null;
  at: Date;
}

/** Which changes a page lists: one run's, a customer's, a sku's, in a time range (`from` ≤ at < `to`). */
export interface BillingChangeFilter {
  runKey?: string;
  customerId?: string;
  sku?: string;
  from?: Date;
  to?: Date;
}

/** Which write of a sku: an agreement may release one addition of a sku and create another. */
type ChangeKey = Pick<
  BillingChange,
  'partnerId' | 'integrationId' | 'runKey' | 'agreementId' | 'sku'
> & { slot: string };

const idOf = (k: ChangeKey) =>
  naturalId(k.partnerId, k.integrationId, k.runKey, String(k.agreementId), k.sku, k.slot);

const toChange = (d: BillingChange): BillingChange => ({
  partnerId: d.partnerId,
  integrationId: d.integrationId,
  runKey: d.runKey,
  trigger: d.trigger,
  customerId: d.customerId,
  agreementId: d.agreementId,
  sku: d.sku,
  additionId: d.additionId ?? null,
  action: d.action,
  from: d.from ?? null,
  to: d.to ?? null,
  outcome: d.outcome,
  message: d.message ?? null,
  date: d.date ?? null,
  at: d.at,
});

/**
 * The billing audit trail, kept `retentionDays` (BILLING_AUDIT_RETENTION_DAYS): a TTL index
 * where the server has one, and `prune` at each run where it has not (FerretDB 1.x).
 */
export class BillingChangeRepository {
  private readonly retention: Retention<BillingChangeDoc>;

  constructor(
    private readonly model: BillingChangeModel,
    readonly retentionDays: number = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {
    this.retention = new Retention(model, 'at', retentionDays);
  }

  ensureRetention(): Promise<boolean> {
    return this.retention.ensure();
  }

  /**
   * Writes the change under its natural key, so a retried activity rewrites it. With
   * `keepExisting`, a record already there stays as it is: a retry that finds its own earlier
   * write (the create it made before a crash, now an adoption) does not hide what happened.
   */
  async record(
    change: BillingChange,
    { keepExisting = false, slot }: { keepExisting?: boolean; slot: string },
  ): Promise<void> {
    const { partnerId, integrationId, runKey, agreementId, sku, ...rest } = change;
    const key = { partnerId, integrationId, runKey, agreementId, sku };
    const _id = idOf({ ...change, slot });
    const fields = { ...rest, pageKey: pageKeyOf(change.at, _id) };
    const update = keepExisting
      ? { $setOnInsert: { ...key, ...fields } }
      : { $set: fields, $setOnInsert: key };
    await retryOnDuplicateKey(() => this.model.updateOne({ _id }, update, { upsert: true }).exec());
  }

  async get(key: ChangeKey): Promise<BillingChange | undefined> {
    const doc = await this.model
      .findOne({ _id: idOf(key) })
      .lean<BillingChange>()
      .exec();
    return doc ? toChange(doc) : undefined;
  }

  /** One run's changes, by agreement and sku. */
  async listForRun(
    partnerId: string,
    integrationId: string,
    runKey: string,
  ): Promise<BillingChange[]> {
    const docs = await this.model
      .find({ partnerId, integrationId, runKey })
      .sort({ agreementId: 1, sku: 1 })
      .lean<BillingChange[]>()
      .exec();
    return docs.map(toChange);
  }

  /** The integration's changes matching `filter`, newest first, a page at a time. */
  async page(
    partnerId: string,
    integrationId: string,
    filter: BillingChangeFilter,
    request: PageRequest,
  ): Promise<Page<BillingChange>> {
    const { from, to, ...fields } = filter;
    const defined = Object.entries(fields).filter(([, v]) => v !== undefined);
    const page = await newestFirst<BillingChangeDoc, BillingChange & { pageKey?: string }>(
      this.model,
      { partnerId, integrationId, ...Object.fromEntries(defined) },
      { from, to },
      request,
    );
    return { ...page, items: page.items.map(toChange) };
  }

  /** Deletes the integration's records older than the retention; returns how many. */
  prune(partnerId: string, integrationId: string, now = new Date()): Promise<number> {
    return this.retention.prune(partnerId, integrationId, now);
  }
}
