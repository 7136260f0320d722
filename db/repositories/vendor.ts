import type { Model } from 'mongoose';
import { retryOnDuplicateKey } from '../retry-duplicate';
import type { CustomerDoc, ProductDoc, UsageDoc } from '../models/vendor';

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

/**
 * Bulk upserts keyed on the natural key, so a repeated push changes nothing. FerretDB has no
 * transactions: callers validate everything first, and a retried push converges.
 */
export class VendorRepository {
  constructor(
    private readonly customers: Model<CustomerDoc>,
    private readonly products: Model<ProductDoc>,
    private readonly usage: Model<UsageDoc>,
  ) {}

  private async upsert<T>(
    model: Model<T>,
    rows: Array<{ filter: object; set: object }>,
  ): Promise<{ created: number; updated: number }> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    const ops = rows.map(({ filter, set }) => ({
      updateOne: { filter, update: { $set: set }, upsert: true },
    }));
    // The rows are built from this class's own typed inputs; mongoose's generic op types cannot see that.
    // No automatic updatedAt: it would make every repeated push look like a change.
    const res = await retryOnDuplicateKey(() =>
      model.bulkWrite(ops as unknown as Parameters<Model<T>['bulkWrite']>[0], {
        ordered: false,
        timestamps: false,
      }),
    );
    return { created: res.upsertedCount, updated: res.modifiedCount };
  }

  upsertCustomers(partnerId: string, rows: Customer[]) {
    return this.upsert(
      this.customers,
      rows.map((c) => ({ filter: { partnerId, customerId: c.customerId }, set: { name: c.name } })),
    );
  }

  upsertProducts(partnerId: string, rows: Product[]) {
    return this.upsert(
      this.products,
      rows.map(({ sku, ...rest }) => ({ filter: { partnerId, sku }, set: rest })),
    );
  }

  upsertUsage(partnerId: string, customerId: string, rows: UsageLine[]) {
    return this.upsert(
      this.usage,
      rows.map(({ sku, ...rest }) => ({ filter: { partnerId, customerId, sku }, set: rest })),
    );
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
    return docs.map((d) => ({
      sku: d.sku,
      name: d.name,
      description: d.description ?? '',
      price: d.price,
      cost: d.cost,
    }));
  }

  async listUsage(partnerId: string, customerId: string): Promise<UsageLine[]> {
    const docs = await this.usage.find({ partnerId, customerId }).sort({ sku: 1 }).lean().exec();
    return docs.map((d) => ({ sku: d.sku, quantity: d.quantity, asOf: d.asOf }));
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
