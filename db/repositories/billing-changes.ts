import type { BillingTrigger } from '../../domain/billing/run';
import type { AdditionValues, PlannedOperation } from '../../domain/billing/types';
import type { BILLING_CHANGE_OUTCOMES, BillingChangeModel } from '../models/billing-change';
import { naturalId } from '../natural-id';
import { retryOnDuplicateKey } from '../retry-duplicate';
import { ensureTtlIndex } from '../ttl-index';

export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 24 * 60 * 60 * 1000;

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
  /** ConnectWise's message for a failure; the reason of a skip or conflict. */
  message: string | null;
  at: Date;
}

type ChangeKey = Pick<
  BillingChange,
  'partnerId' | 'integrationId' | 'runKey' | 'agreementId' | 'sku'
>;

const idOf = (k: ChangeKey) =>
  naturalId(k.partnerId, k.integrationId, k.runKey, String(k.agreementId), k.sku);

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
  at: d.at,
});

/**
 * The billing audit trail, kept `retentionDays` (BILLING_AUDIT_RETENTION_DAYS): a TTL index
 * where the server has one, and `prune` at each run where it has not (FerretDB 1.x).
 */
export class BillingChangeRepository {
  constructor(
    private readonly model: BillingChangeModel,
    readonly retentionDays: number = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {}

  ensureRetention(): Promise<boolean> {
    return ensureTtlIndex(this.model, 'at', this.retentionDays * 24 * 60 * 60);
  }

  /**
   * Writes the change under its natural key, so a retried activity rewrites it. With
   * `keepExisting`, a record already there stays as it is: a retry that finds its own earlier
   * write (the create it made before a crash, now an adoption) does not hide what happened.
   */
  async record(change: BillingChange, { keepExisting = false } = {}): Promise<void> {
    const { partnerId, integrationId, runKey, agreementId, sku, ...rest } = change;
    const key = { partnerId, integrationId, runKey, agreementId, sku };
    const update = keepExisting
      ? { $setOnInsert: { ...key, ...rest } }
      : { $set: rest, $setOnInsert: key };
    await retryOnDuplicateKey(() =>
      this.model.updateOne({ _id: idOf(change) }, update, { upsert: true }).exec(),
    );
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

  /** Deletes the integration's records older than the retention; returns how many. */
  async prune(partnerId: string, integrationId: string, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    const res = await this.model
      .deleteMany({ partnerId, integrationId, at: { $lt: cutoff } })
      .exec();
    return res.deletedCount;
  }
}
