import type { Model, RootFilterQuery } from 'mongoose';

/** Where a newest-first page ended: the last row's date and its tie-break (`_id` or a key). */
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

/** A date range: `from` ≤ date < `to`, either end optional. */
export interface DateRange {
  from?: Date;
  to?: Date;
}

/**
 * The field a paged collection sorts and pages by: the row's date (UTC ISO, fixed width, so the
 * string orders as the date) and its tie-break, in one string. One indexed field, so a page is one
 * range of one index (no `$or` of date and tie-break), on MongoDB and on FerretDB alike. Each
 * write that sets the date sets this too (`pageKeyOf`).
 */
export const PAGE_KEY = 'pageKey';

export const pageKeyOf = (at: Date, id: string): string => `${at.toISOString()}|${id}`;

const keyParts = (key: string): PageKey => {
  const bar = key.indexOf('|');
  return { at: new Date(key.slice(0, bar)), id: key.slice(bar + 1) };
};

/**
 * One page of `filter`'s documents (equality conditions on indexed fields), newest first, by
 * keyset on PAGE_KEY: a row written between two requests neither repeats nor hides one. Asks one
 * row more than the page to know whether another page follows.
 */
export async function newestFirst<T, D extends { pageKey?: string | null }>(
  model: Model<T>,
  filter: Record<string, unknown>,
  { from, to }: DateRange,
  { after, limit }: PageRequest,
): Promise<Page<D>> {
  // Keys of one date start with its ISO string: `from` ≤ key, key < `to` (and < the cursor's).
  const upper = [to?.toISOString(), after ? pageKeyOf(after.at, after.id) : undefined]
    .filter((k): k is string => k !== undefined)
    .sort()[0];
  const range = {
    ...(from ? { $gte: from.toISOString() } : {}),
    ...(upper !== undefined ? { $lt: upper } : {}),
  };
  const docs = (await model
    .find({ ...filter, ...(from || upper ? { [PAGE_KEY]: range } : {}) } as RootFilterQuery<T>)
    .sort({ [PAGE_KEY]: -1 })
    .limit(limit + 1)
    .lean()
    .exec()) as unknown as D[];
  const items = docs.slice(0, limit);
  const last = items.at(-1)?.pageKey;
  return { items, next: docs.length > limit && last ? keyParts(last) : null };
}

/** A page of a list in the order of one unique key (customers by id, products by sku, …). */
export interface KeyPage<T> {
  items: T[];
  /** The last row's key, to ask the next page after; null on the last page. */
  next: string | null;
}

/** Rows after `after` in `key` order, `limit` of them. */
export interface KeyPageRequest {
  after?: string;
  limit: number;
}

/**
 * One page of `filter`'s documents in ascending order of `key` (a field unique within the filter
 * and last in an index that starts with the filter's fields, or `_id` with a range of its own in
 * `filter`, which the page's `$gt` joins), by keyset: a row written between two
 * requests neither repeats nor hides another. Asks one row more to know whether a page follows.
 */
export async function inKeyOrder<T, D extends object>(
  model: Model<T>,
  filter: Record<string, unknown>,
  key: string,
  { after, limit }: KeyPageRequest,
): Promise<KeyPage<D>> {
  const own = filter[key] as Record<string, unknown> | undefined;
  const docs = (await model
    .find({
      ...filter,
      ...(after !== undefined ? { [key]: { ...own, $gt: after } } : {}),
    } as RootFilterQuery<T>)
    .sort({ [key]: 1 })
    .limit(limit + 1)
    .lean()
    .exec()) as unknown as D[];
  const items = docs.slice(0, limit);
  const last = items.at(-1) as Record<string, unknown> | undefined;
  return { items, next: docs.length > limit && last ? String(last[key]) : null };
}

/**
 * The documents whose `key` falls in a page of another list: after `after` (absent: from the
 * start) up to and including `through`. Reads a page's companions (a page of customers' mappings)
 * in one range of the same index.
 */
export async function keyRange<T, D>(
  model: Model<T>,
  filter: Record<string, unknown>,
  key: string,
  { after, through }: { after?: string; through: string },
): Promise<D[]> {
  return (await model
    .find({
      ...filter,
      [key]: { ...(after !== undefined ? { $gt: after } : {}), $lte: through },
    } as RootFilterQuery<T>)
    .lean()
    .exec()) as unknown as D[];
}
