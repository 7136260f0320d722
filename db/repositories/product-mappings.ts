import type { AnyBulkWriteOperation } from 'mongoose';
import type {
  ProductMappingDoc,
  ProductMappingModel,
  ProductMappingSource,
} from '../models/product-mapping';
import { naturalId } from '../natural-id';
import { keyRange } from '../page';
import { retryOnDuplicateKey } from '../retry-duplicate';

export type { ProductMappingSource } from '../models/product-mapping';

/** Which ConnectWise catalog item a vendor sku is billed as, for one integration. */
export interface ProductMapping {
  sku: string;
  catalogItemId: number;
  source: ProductMappingSource;
  updatedAt: Date;
}

export type ProductMappingInput = Omit<ProductMapping, 'updatedAt'>;

const toMapping = (d: ProductMappingDoc): ProductMapping => ({
  sku: d.sku,
  catalogItemId: d.catalogItemId,
  source: d.source,
  updatedAt: d.updatedAt,
});

const idOf = (partnerId: string, integrationId: string, sku: string) =>
  naturalId(partnerId, integrationId, sku);

/**
 * The partner's choices win: the engine's `save` never replaces a `partner` row, so a billing
 * run saving what it found cannot undo a mapping the partner made meanwhile.
 */
export class ProductMappingRepository {
  constructor(private readonly model: ProductMappingModel) {}

  /** Every mapping of the integration, by sku. */
  async list(partnerId: string, integrationId: string): Promise<ProductMapping[]> {
    const docs = await this.model.find({ partnerId, integrationId }).sort({ sku: 1 }).lean().exec();
    return docs.map(toMapping);
  }

  /** The mappings of a page of products: skus after `after` up to and including `through`. */
  async forSkuRange(
    partnerId: string,
    integrationId: string,
    range: { after?: string; through: string },
  ): Promise<ProductMapping[]> {
    const docs = await keyRange<ProductMappingDoc, ProductMappingDoc>(
      this.model,
      { partnerId, integrationId },
      'sku',
      range,
    );
    return docs.map(toMapping);
  }

  /**
   * Idempotent upserts; only rows that change are written (and get a new `updatedAt`). An
   * `engine` row for a sku the partner mapped is left out. Returns how many rows were written.
   */
  async save(
    partnerId: string,
    integrationId: string,
    rows: readonly ProductMappingInput[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const stored = new Map((await this.list(partnerId, integrationId)).map((m) => [m.sku, m]));
    const now = new Date();
    const ops: AnyBulkWriteOperation<ProductMappingDoc>[] = [];
    for (const row of new Map(rows.map((r) => [r.sku, r])).values()) {
      const current = stored.get(row.sku);
      if (current?.catalogItemId === row.catalogItemId && current.source === row.source) continue;
      if (row.source === 'engine' && current?.source === 'partner') continue;
      ops.push(writeOf(partnerId, integrationId, row, current, now));
    }
    if (ops.length === 0) return 0;
    const res = await retryOnDuplicateKey(() =>
      this.model.bulkWrite(ops, {
        ordered: false,
        timestamps: false,
        throwOnValidationError: true,
      }),
    );
    return res.upsertedCount + res.modifiedCount;
  }

  /** Removes the mappings of these skus (the engine decides again); returns how many. */
  async remove(partnerId: string, integrationId: string, skus: readonly string[]): Promise<number> {
    if (skus.length === 0) return 0;
    const res = await this.model.bulkWrite(
      [...new Set(skus)].map((sku) => ({
        deleteOne: { filter: { _id: idOf(partnerId, integrationId, sku) } },
      })),
      { ordered: false, throwOnValidationError: true },
    );
    return res.deletedCount;
  }

  /** Removes every mapping of the integration (a change of tenant); returns how many. */
  async clear(partnerId: string, integrationId: string): Promise<number> {
    const res = await this.model.deleteMany({ partnerId, integrationId }).exec();
    return res.deletedCount;
  }
}

/**
 * The one write for a row. A partner row is set whatever is stored. An engine row is inserted
 * only if no row exists by then (`$setOnInsert`), and replaces only a row that is still the
 * engine's, so a partner's save racing it wins.
 */
function writeOf(
  partnerId: string,
  integrationId: string,
  row: ProductMappingInput,
  current: ProductMapping | undefined,
  now: Date,
): AnyBulkWriteOperation<ProductMappingDoc> {
  const _id = idOf(partnerId, integrationId, row.sku);
  const key = { partnerId, integrationId, sku: row.sku };
  const values = { catalogItemId: row.catalogItemId, source: row.source, updatedAt: now };
  if (row.source === 'partner') {
    return {
      updateOne: { filter: { _id }, update: { $set: values, $setOnInsert: key }, upsert: true },
    };
  }
  if (!current) {
    return {
      updateOne: { filter: { _id }, update: { $setOnInsert: { ...key, ...values } }, upsert: true },
    };
  }
  return { updateOne: { filter: { _id, source: 'engine' }, update: { $set: values } } };
}
