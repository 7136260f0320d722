import type { Model } from 'mongoose';
import { naturalId } from '../natural-id';
import { inKeyOrder, type KeyPage, type KeyPageRequest } from '../page';
import { retryOnDuplicateKey } from '../retry-duplicate';
import type { CustomerDoc, ProductDoc, UsageSetDoc } from '../models/vendor';

export interface Customer {
  customerId: string;
  name: string;
}
export interface Product {
  sku: string;
  name: string;
  description: string;
  price: number;
  cost: number;
}
export interface UsageLine {
  sku: string;
  quantity: number;
  asOf: Date;
}
/** A customer's whole usage: what the portal last said, as of when. */
export interface UsageSet {
  asOf: Date;
  lines: UsageLine[];
}
const toProduct = (d: ProductDoc): Product => ({
  sku: d.sku,
  name: d.name,
  description: d.description ?? '',
  price: d.price,
  cost: d.cost,
});
const usageSetOf = (doc: Pick<UsageSetDoc, 'asOf' | 'lines'>): UsageSet => ({
  asOf: doc.asOf,
  lines: doc.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, asOf: l.asOf })),
});

export type UsageReplaceResult =
  { applied: true; asOf: Date } | { applied: false; storedAsOf: Date };

/**
 * Bulk upserts keyed on the natural key (as `_id`), so a repeated push changes nothing. FerretDB
 * has no transactions: callers validate everything first, and a retried push converges.
 */
export class VendorRepository {
  constructor(
    private readonly customers: Model<CustomerDoc>,
    private readonly products: Model<ProductDoc>,
    private readonly usage: Model<UsageSetDoc>,
  ) {}

  private async upsert<T>(
    model: Model<T>,
    rows: Array<{ _id: string; key: object; set: object }>,
  ): Promise<{ created: number; updated: number }> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    const ops = rows.map(({ _id, key, set }) => ({
      updateOne: { filter: { _id }, update: { $set: set, $setOnInsert: key }, upsert: true },
    }));
    // The rows are built from this class's own typed inputs; mongoose's generic op types cannot see that.
    // No automatic updatedAt: it would make every repeated push look like a change.
    const res = await retryOnDuplicateKey(() =>
      model.bulkWrite(ops as unknown as Parameters<Model<T>['bulkWrite']>[0], {
        ordered: false,
        timestamps: false,
        throwOnValidationError: true,
      }),
    );
    return { created: res.upsertedCount, updated: res.modifiedCount };
  }

  upsertCustomers(partnerId: string, rows: Customer[]) {
    return this.upsert(
      this.customers,
      rows.map(({ customerId, name }) => ({
        _id: naturalId(partnerId, customerId),
        key: { partnerId, customerId },
        set: { name },
      })),
    );
  }

  upsertProducts(partnerId: string, rows: Product[]) {
    return this.upsert(
      this.products,
      rows.map(({ sku, ...rest }) => ({
        _id: naturalId(partnerId, sku),
        key: { partnerId, sku },
        set: rest,
      })),
    );
  }

  /**
   * Replaces the customer's whole usage set, unless a newer one is stored: then nothing changes
   * and the stored `asOf` is returned. The same `asOf` applies again (a retried push).
   *
   * Each set is its own document, keyed by its `asOf`, and the current set is the newest one, so
   * every write is a single-document insert and racing pushes cannot let an older set win
   * (FerretDB has no atomic compare-and-set: its conditional update reads, then writes). Older
   * sets are deleted once a newer one is stored.
   */
  async replaceUsage(
    partnerId: string,
    customerId: string,
    set: UsageSet,
  ): Promise<UsageReplaceResult> {
    const stored = await this.newestUsage(partnerId, customerId);
    if (stored && stored.asOf > set.asOf) return { applied: false, storedAsOf: stored.asOf };
    const lines = [...set.lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    await retryOnDuplicateKey(() =>
      this.usage
        .updateOne(
          { _id: naturalId(partnerId, customerId, set.asOf.toISOString()) },
          { $set: { lines }, $setOnInsert: { partnerId, customerId, asOf: set.asOf } },
          { upsert: true },
        )
        .exec(),
    );
    const current = (await this.newestUsage(partnerId, customerId)) ?? set;
    await this.usage.deleteMany({ partnerId, customerId, asOf: { $lt: current.asOf } }).exec();
    return current.asOf > set.asOf
      ? { applied: false, storedAsOf: current.asOf }
      : { applied: true, asOf: set.asOf };
  }

  private async newestUsage(partnerId: string, customerId: string) {
    return this.usage.findOne({ partnerId, customerId }).sort({ asOf: -1 }).lean().exec();
  }

  /** The customer's current usage set, or undefined before the first push. */
  async getUsage(partnerId: string, customerId: string): Promise<UsageSet | undefined> {
    const doc = await this.newestUsage(partnerId, customerId);
    return doc ? usageSetOf(doc) : undefined;
  }

  /**
   * The current usage set of each of these customers (absent: never pushed), in one read, as a
   * billing run's snapshot takes it. A set being replaced meanwhile shows as its newest version.
   */
  async currentUsage(
    partnerId: string,
    customerIds: readonly string[],
  ): Promise<Map<string, UsageSet>> {
    if (customerIds.length === 0) return new Map();
    const docs = await this.usage
      .find({ partnerId, customerId: { $in: [...new Set(customerIds)] } })
      .lean()
      .exec();
    return this.newestOf(docs);
  }

  /** Every customer's current usage set of the partner, in one read (billing coverage). */
  async partnerUsage(partnerId: string): Promise<Map<string, UsageSet>> {
    return this.newestOf(await this.usage.find({ partnerId }).lean().exec());
  }

  private newestOf(docs: ReadonlyArray<UsageSetDoc>): Map<string, UsageSet> {
    const newest = new Map<string, (typeof docs)[number]>();
    for (const doc of docs) {
      const seen = newest.get(doc.customerId);
      if (!seen || doc.asOf > seen.asOf) newest.set(doc.customerId, doc);
    }
    return new Map([...newest].map(([customerId, doc]) => [customerId, usageSetOf(doc)]));
  }

  async listCustomers(partnerId: string): Promise<Customer[]> {
    const docs = await this.customers
      .find({ partnerId })
      .sort({ name: 1, customerId: 1 })
      .lean()
      .exec();
    return docs.map((d) => ({ customerId: d.customerId, name: d.name }));
  }

  async listProducts(partnerId: string): Promise<Product[]> {
    const docs = await this.products.find({ partnerId }).sort({ sku: 1 }).lean().exec();
    return docs.map(toProduct);
  }

  /** A page of the partner's customers, by customer id (the API's lists). */
  async pageCustomers(partnerId: string, page: KeyPageRequest): Promise<KeyPage<Customer>> {
    const { items, next } = await inKeyOrder<CustomerDoc, CustomerDoc>(
      this.customers,
      { partnerId },
      'customerId',
      page,
    );
    return { items: items.map((d) => ({ customerId: d.customerId, name: d.name })), next };
  }

  /** A page of the partner's products, by sku (the API's lists). */
  async pageProducts(partnerId: string, page: KeyPageRequest): Promise<KeyPage<Product>> {
    const { items, next } = await inKeyOrder<ProductDoc, ProductDoc>(
      this.products,
      { partnerId },
      'sku',
      page,
    );
    return { items: items.map(toProduct), next };
  }

  /** One customer, by its natural `_id`. */
  async getCustomer(partnerId: string, customerId: string): Promise<Customer | undefined> {
    const doc = await this.customers
      .findOne({ _id: naturalId(partnerId, customerId) })
      .lean()
      .exec();
    return doc ? { customerId: doc.customerId, name: doc.name } : undefined;
  }

  async existingCustomerIds(partnerId: string, ids: string[]): Promise<Set<string>> {
    const docs = await this.customers
      .find({ partnerId, customerId: { $in: ids } }, { customerId: 1 })
      .lean()
      .exec();
    return new Set(docs.map((d) => d.customerId));
  }

  async existingSkus(partnerId: string, skus: string[]): Promise<Set<string>> {
    const docs = await this.products
      .find({ partnerId, sku: { $in: skus } }, { sku: 1 })
      .lean()
      .exec();
    return new Set(docs.map((d) => d.sku));
  }
}
