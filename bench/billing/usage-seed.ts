/**
 * Usage for the benchmark's customers, written in bulk: the same documents
 * `repos.vendor.replaceUsage` writes (one set per customer, `_id` = its natural key, lines sorted
 * by sku), then the replaced sets deleted by `_id`. replaceUsage itself reads the customer's
 * newest set by (partnerId, customerId), which FerretDB answers by reading the whole collection:
 * 1,000 customers one by one took ~7 minutes here, longer than the benchmark may take. Billing
 * runs read usage through the repository (`currentUsage`), as always.
 */
import type { Connection } from 'mongoose';
import { usageSetModel } from '../../db/models/vendor';
import { naturalId } from '../../db/natural-id';

export interface UsageWrite {
  customerId: string;
  lines: ReadonlyMap<string, number>;
  /** The set this one replaces, if any. */
  replacesAsOf?: Date;
}

export async function writeUsageSets(
  conn: Connection,
  partnerId: string,
  asOf: Date,
  writes: readonly UsageWrite[],
): Promise<void> {
  const model = usageSetModel(conn);
  const docs = writes.map((w) => ({
    _id: naturalId(partnerId, w.customerId, asOf.toISOString()),
    partnerId,
    customerId: w.customerId,
    asOf,
    lines: [...w.lines]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([sku, quantity]) => ({ sku, quantity, asOf })),
  }));
  for (let i = 0; i < docs.length; i += 500) {
    await model.insertMany(docs.slice(i, i + 500), { ordered: false });
  }
  const replaced = writes.flatMap((w) =>
    w.replacesAsOf ? [naturalId(partnerId, w.customerId, w.replacesAsOf.toISOString())] : [],
  );
  if (replaced.length > 0) await model.deleteMany({ _id: { $in: replaced } }).exec();
}
