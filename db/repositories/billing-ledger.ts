import type { LedgerEntry, PendingCreate } from '../../domain/billing/types';
import type { BillingLedgerModel } from '../models/billing-ledger';
import { naturalId } from '../natural-id';
import { retryOnDuplicateKey } from '../retry-duplicate';

/** Whose ledger, in which tenant (domain/tenant.ts tenantKeyOf). */
export interface LedgerScope {
  partnerId: string;
  integrationId: string;
  tenantKey: string;
}

export interface Ledger {
  entries: LedgerEntry[];
  pending: PendingCreate[];
}

const entryId = (s: LedgerScope, agreementId: number, additionId: number) =>
  naturalId(s.partnerId, s.integrationId, String(agreementId), String(additionId));
const pendingId = (s: LedgerScope, agreementId: number, sku: string) =>
  naturalId(s.partnerId, s.integrationId, String(agreementId), sku, 'pending');

type Doc = {
  agreementId: number;
  additionId?: number | null;
  sku: string;
  productId?: number | null;
  customerId?: string | null;
  state: string;
  sentAt?: Date | null;
};

function split(docs: Doc[]): Ledger {
  const ledger: Ledger = { entries: [], pending: [] };
  for (const d of docs) {
    if (d.state === 'pending_create') {
      ledger.pending.push({
        agreementId: d.agreementId,
        sku: d.sku,
        sentAt: (d.sentAt ?? new Date(0)).toISOString(),
      });
    } else {
      ledger.entries.push({
        agreementId: d.agreementId,
        additionId: d.additionId!,
        sku: d.sku,
        productId: d.productId ?? 0,
        customerId: d.customerId ?? '',
        state: d.state as LedgerEntry['state'],
      });
    }
  }
  return ledger;
}

/**
 * The ledger of additions the engine owns. Reads filter on the tenant: what another tenant's
 * ledger says is never planned, let alone written.
 */
export class BillingLedgerRepository {
  constructor(private readonly model: BillingLedgerModel) {}

  /** The whole ledger of the integration in this tenant (read once per run, into its snapshot). */
  async list(scope: LedgerScope): Promise<Ledger> {
    const { partnerId, integrationId, tenantKey } = scope;
    return split(await this.model.find({ partnerId, integrationId, tenantKey }).lean().exec());
  }

  /** One agreement's entries as saved now (a retry sees what an earlier attempt wrote). */
  async forAgreement(scope: LedgerScope, agreementId: number): Promise<Ledger> {
    const { partnerId, integrationId, tenantKey } = scope;
    return split(
      await this.model.find({ partnerId, integrationId, tenantKey, agreementId }).lean().exec(),
    );
  }

  /** Idempotent: the addition is the engine's (or left, or kept separate) from now on. */
  async save(scope: LedgerScope, entry: LedgerEntry): Promise<void> {
    const { partnerId, integrationId, tenantKey } = scope;
    const { agreementId, additionId, sku, productId, customerId, state } = entry;
    await retryOnDuplicateKey(() =>
      this.model
        .updateOne(
          { _id: entryId(scope, agreementId, additionId) },
          {
            $set: { tenantKey, sku, productId, customerId, state, updatedAt: new Date() },
            $setOnInsert: { partnerId, integrationId, agreementId, additionId },
          },
          { upsert: true },
        )
        .exec(),
    );
  }

  /** Released, cancelled or gone: no longer the engine's. */
  async remove(scope: LedgerScope, agreementId: number, additionId: number): Promise<void> {
    await this.model.deleteOne({ _id: entryId(scope, agreementId, additionId) }).exec();
  }

  /** A create is about to be sent: until its answer is seen, a retry must not send another. */
  async markPending(scope: LedgerScope, agreementId: number, sku: string, sentAt: Date) {
    const { partnerId, integrationId, tenantKey } = scope;
    await retryOnDuplicateKey(() =>
      this.model
        .updateOne(
          { _id: pendingId(scope, agreementId, sku) },
          {
            $set: { tenantKey, sentAt, state: 'pending_create', updatedAt: new Date() },
            $setOnInsert: { partnerId, integrationId, agreementId, sku },
          },
          { upsert: true },
        )
        .exec(),
    );
  }

  async clearPending(scope: LedgerScope, agreementId: number, sku: string): Promise<void> {
    await this.model.deleteOne({ _id: pendingId(scope, agreementId, sku) }).exec();
  }
}
