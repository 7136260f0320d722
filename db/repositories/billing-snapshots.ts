import type { BillingRunRef, PreparedRun } from '../../domain/billing/run';
import type { BillingPolicySettings } from '../../domain/billing/settings';
import type { SeatChange } from '../../domain/billing/safety';
import type { AgreementInvoicing, WriteDates } from '../../domain/billing/invoice-period';
import type { LedgerEntry, PendingCreate, PlannedOperation } from '../../domain/billing/types';
import type { BillingSnapshotModel, SnapshotPart } from '../models/billing-snapshot';
import { naturalId } from '../natural-id';
import { isDuplicateKey, retryOnDuplicateKey } from '../retry-duplicate';
import { ensureTtlIndex } from '../ttl-index';

/** Long enough for any run and its retries; a run never reads another run's snapshot. */
export const SNAPSHOT_RETENTION_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The ConnectWise catalog item a sku is billed as, with the vendor's price and cost. */
export interface SnapshotProduct {
  sku: string;
  /** The vendor's product name (candidates are matched on it). */
  name: string;
  catalogItemId: number;
  price: number;
  cost: number;
}

/** What a whole run works from, frozen when it was prepared. */
export interface RunSnapshot {
  ref: BillingRunRef;
  /** The tenant the run was prepared in (domain/tenant.ts tenantKeyOf): it writes nowhere else. */
  tenantKey: string;
  /** `yyyy-MM-dd` in the MSP's time zone, when the run was prepared. */
  today: string;
  /** The MSP's IANA time zone: each write takes its own day in it. */
  zone: string;
  policy: BillingPolicySettings;
  /** Every managed sku: the vendor products that have a catalog item. */
  products: SnapshotProduct[];
  /** Skus with usage but no catalog item, and why (e.g. a catalog setting ConnectWise needs). */
  skippedSkus: Array<{ sku: string; reason: string }>;
  prepared: PreparedRun;
  createdAt: Date;
}

/** What the run knew of a held plan of the agreement when it was prepared. */
export interface ApprovalSnapshot {
  approvalId: string;
  status: string;
  planHash: string;
}

/**
 * One agreement's part of the snapshot: whose it is, what it should bill, what the ledger holds
 * there and which of it is released. An agreement billed for nobody now (its customer moved, was
 * unmapped, billing off) is in the run only for its releases: `customerId` '' and no lines.
 */
export interface AgreementSnapshot {
  agreementId: number;
  customerId: string;
  companyId: number;
  /** The usage set's `asOf`; null when the customer never had usage pushed. */
  usageAsOf: Date | null;
  lines: Array<{ sku: string; quantity: number; asOf: Date }>;
  ledger: LedgerEntry[];
  pending: PendingCreate[];
  /** Ledger additions here no longer backed, and why. */
  releases: Array<{ additionId: number; reason: string }>;
  /** How ConnectWise invoices the agreement (for the dates writes carry); null if unread. */
  invoicing: AgreementInvoicing | null;
  approval?: ApprovalSnapshot;
  /** Set when the safety valve holds the agreement for approval whatever its plan: why. */
  hold?: string;
}

/** One agreement's plan, kept for approval and preview: what a run would write, and why it waits. */
export interface AgreementPlanRecord {
  /** The dates its writes would carry (the agreement's invoicing, on the day it was planned). */
  dates?: WriteDates;
  agreementId: number;
  customerId: string;
  companyId: number;
  today: string;
  operations: PlannedOperation[];
  /** Managed seats on the agreement before and after the plan. */
  seats: SeatChange;
  /** Why the safety valve holds it, if it does. */
  hold?: string;
}

type Scope = Pick<BillingRunRef, 'partnerId' | 'integrationId' | 'runKey'>;

/** FerretDB stores no nested arrays: each batch is kept as `{agreementIds}`. */
type StoredRun = Omit<RunSnapshot, 'prepared'> & {
  prepared: Omit<PreparedRun, 'batches'> & { batches: Array<{ agreementIds: number[] }> };
};

const toStored = ({ prepared, ...run }: RunSnapshot): StoredRun => ({
  ...run,
  prepared: { ...prepared, batches: prepared.batches.map((agreementIds) => ({ agreementIds })) },
});

const fromStored = ({ prepared, ...run }: StoredRun): RunSnapshot => ({
  ...run,
  prepared: { ...prepared, batches: prepared.batches.map((b) => b.agreementIds) },
});

const runId = (s: Scope) => naturalId(s.partnerId, s.integrationId, s.runKey);
const agreementDocId = (s: Scope, agreementId: number) =>
  naturalId(s.partnerId, s.integrationId, s.runKey, String(agreementId));
const batchDocId = (s: Scope, firstAgreementId: number) =>
  naturalId(s.partnerId, s.integrationId, s.runKey, String(firstAgreementId), 'batch');
const planDocId = (s: Scope, agreementId: number) =>
  naturalId(s.partnerId, s.integrationId, s.runKey, String(agreementId), 'plan');

/**
 * Billing run snapshots, by `_id` only. The agreements are written first and the run document
 * last, so a run document means a complete snapshot: a retried prepare that finds it returns it.
 */
export class BillingSnapshotRepository {
  constructor(private readonly model: BillingSnapshotModel) {}

  ensureRetention(): Promise<boolean> {
    return ensureTtlIndex(this.model, 'createdAt', SNAPSHOT_RETENTION_DAYS * 24 * 60 * 60);
  }

  async getRun(scope: Scope): Promise<RunSnapshot | undefined> {
    const doc = await this.model
      .findOne({ _id: runId(scope) })
      .lean()
      .exec();
    return doc ? fromStored(doc.body as StoredRun) : undefined;
  }

  async saveRun(snapshot: RunSnapshot): Promise<void> {
    const { ref } = snapshot;
    await this.put(runId(ref), ref, 'run', toStored(snapshot), snapshot.createdAt);
  }

  async getAgreement(scope: Scope, agreementId: number): Promise<AgreementSnapshot | undefined> {
    const doc = await this.model
      .findOne({ _id: agreementDocId(scope, agreementId) })
      .lean()
      .exec();
    return doc ? (doc.body as AgreementSnapshot) : undefined;
  }

  /**
   * These agreements of the run, by id (those it has): one read per stored batch that holds any
   * of them (as prepare stores them), else one read each (runs prepared before batch documents).
   */
  async getAgreements(
    scope: Scope,
    agreementIds: readonly number[],
    /** The run's stored batches: which batch document holds each agreement. */
    batches: readonly (readonly number[])[] = [agreementIds],
  ): Promise<Map<number, AgreementSnapshot>> {
    const found = new Map<number, AgreementSnapshot>();
    if (agreementIds.length === 0) return found;
    const wanted = new Set(agreementIds);
    const firsts = batches.filter((b) => b.some((id) => wanted.has(id))).map((b) => b[0]!);
    const docs = await Promise.all(
      firsts.map((first) =>
        this.model
          .findOne({ _id: batchDocId(scope, first) })
          .lean()
          .exec(),
      ),
    );
    for (const doc of docs)
      for (const a of (doc?.body as { agreements?: AgreementSnapshot[] } | undefined)?.agreements ??
        [])
        if (wanted.has(a.agreementId)) found.set(a.agreementId, a);
    const missing = agreementIds.filter((id) => !found.has(id));
    const each = await Promise.all(missing.map((id) => this.getAgreement(scope, id)));
    for (const a of each) if (a) found.set(a.agreementId, a);
    return found;
  }

  /**
   * The run's agreements, one document per batch (keyed by the batch's first agreement), in one
   * insert; a retried prepare, which finds some stored already, overwrites them in a bulk upsert.
   */
  async saveBatches(
    scope: Scope,
    batches: ReadonlyArray<readonly AgreementSnapshot[]>,
    createdAt: Date,
  ): Promise<void> {
    const docs = batches
      .filter((b) => b.length > 0)
      .map((b) => ({
        _id: batchDocId(scope, b[0]!.agreementId),
        ...this.docOf(scope, 'batch', { agreements: b }, createdAt),
      }));
    await this.insertOrReplace(docs);
  }

  /**
   * One document per agreement: the layout of runs prepared before batch documents, which
   * getAgreements still reads. One insert (a new run has none stored); a retried prepare, which
   * finds some stored already, overwrites them all in one bulk upsert instead.
   */
  async saveAgreements(
    scope: Scope,
    agreements: readonly AgreementSnapshot[],
    createdAt: Date,
  ): Promise<void> {
    await this.insertOrReplace(
      agreements.map((a) => ({
        _id: agreementDocId(scope, a.agreementId),
        ...this.docOf(scope, 'agreement', a, createdAt),
      })),
    );
  }

  /** One insert of new documents; if some exist (a retried prepare), one bulk upsert of all. */
  private async insertOrReplace(docs: Array<{ _id: string } & ReturnType<typeof this.docOf>>) {
    if (docs.length === 0) return;
    try {
      await this.model.insertMany(docs, { ordered: false, lean: true });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const ops = docs.map(({ _id, ...doc }) => ({
      updateOne: { filter: { _id }, update: { $set: doc }, upsert: true },
    }));
    await retryOnDuplicateKey(() =>
      this.model.bulkWrite(ops, { ordered: false, throwOnValidationError: true }),
    );
  }

  async savePlan(scope: Scope, plan: AgreementPlanRecord, createdAt = new Date()): Promise<void> {
    await this.put(planDocId(scope, plan.agreementId), scope, 'plan', plan, createdAt);
  }

  async getPlan(scope: Scope, agreementId: number): Promise<AgreementPlanRecord | undefined> {
    const doc = await this.model
      .findOne({ _id: planDocId(scope, agreementId) })
      .lean()
      .exec();
    return doc ? (doc.body as AgreementPlanRecord) : undefined;
  }

  /** The plans of these agreements that exist, in the order given (`_id` reads, a few at once). */
  async getPlans(scope: Scope, agreementIds: readonly number[]): Promise<AgreementPlanRecord[]> {
    const found: AgreementPlanRecord[] = [];
    for (let i = 0; i < agreementIds.length; i += 25) {
      const batch = await Promise.all(
        agreementIds.slice(i, i + 25).map((id) => this.getPlan(scope, id)),
      );
      for (const plan of batch) if (plan) found.push(plan);
    }
    return found;
  }

  /** Deletes the integration's snapshots past their retention; returns how many. */
  async prune(partnerId: string, integrationId: string, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - SNAPSHOT_RETENTION_DAYS * DAY_MS);
    const res = await this.model
      .deleteMany({ partnerId, integrationId, createdAt: { $lt: cutoff } })
      .exec();
    return res.deletedCount;
  }

  private docOf(scope: Scope, part: SnapshotPart, body: object, createdAt: Date) {
    const { partnerId, integrationId, runKey } = scope;
    return { partnerId, integrationId, runKey, part, body, createdAt };
  }

  private async put(
    _id: string,
    scope: Scope,
    part: SnapshotPart,
    body: object,
    createdAt: Date,
  ): Promise<void> {
    await retryOnDuplicateKey(() =>
      this.model
        .updateOne({ _id }, { $set: this.docOf(scope, part, body, createdAt) }, { upsert: true })
        .exec(),
    );
  }
}
