import type { Model, RootFilterQuery } from 'mongoose';

/** Where a newest-first page ended: the last row's date and `_id` (its tie-break). */
export interface PageKey {
  at: Date;
  id: string;
}

export interface PageRequest {
  /** Rows after this key; absent for the first page. */
  after?: PageKey;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** The key to ask the next page after; null on the last page. */
  next: PageKey | null;
}

/** A date range on a field: `from` ≤ date < `to`, either end optional. */
export function dateRange(field: string, from?: Date, to?: Date): Record<string, unknown> {
  if (!from && !to) return {};
  return { [field]: { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) } };
}

/**
 * One page of `filter`'s documents, newest `field` first (then `_id` descending), by keyset: a
 * row written between two requests neither repeats nor hides one. Asks one row more than the
 * page to know whether another page follows.
 */
export async function newestFirst<T, D extends { _id: unknown }>(
  model: Model<T>,
  filter: Record<string, unknown>,
  field: keyof D & string,
  { after, limit }: PageRequest,
): Promise<Page<D>> {
  const conditions = after
    ? [
        filter,
        { $or: [{ [field]: { $lt: after.at } }, { [field]: after.at, _id: { $lt: after.id } }] },
      ]
    : [filter];
  const docs = (await model
    .find({ $and: conditions } as RootFilterQuery<T>)
    .sort({ [field]: -1, _id: -1 })
    .limit(limit + 1)
    .lean()
    .exec()) as unknown as D[];
  const items = docs.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next: docs.length > limit && last ? { at: last[field] as Date, id: String(last._id) } : null,
  };
}
