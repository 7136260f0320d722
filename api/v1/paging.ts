import { z } from 'zod';
import type { PageKey } from '../../db/page';
import { decimalInt } from './decimal';

/**
 * Paging of the engine's own records: `pageSize` rows, newest first, and a `cursor` (the
 * `nextCursor` of the page before; null on the last page). A cursor is the last row's date and id,
 * so rows written meanwhile neither repeat nor hide others.
 */
export const pageSize = decimalInt(1, 200)
  .optional()
  .describe('Rows per page, 1 to 200 (default 50)');

export const DEFAULT_PAGE_SIZE = 50;

/**
 * A cursor is a position, not a secret: any string of its pattern is one (the rows after it), so
 * the OpenAPI document states exactly what is accepted. A page cursor is the last row's time in
 * milliseconds and its id in base64url (`1796632371871.cm93LTE`); a set's cursor is its last key
 * in base64url. A client that makes one up gets the rows after that position of its own data.
 */
const PAGE_CURSOR = /^[0-9]{1,13}\.[A-Za-z0-9_-]{2,1200}$/;
const KEY_CURSOR = /^[A-Za-z0-9_-]{2,1600}$/;
const CURSOR_MESSAGE = 'must be a nextCursor this API answered, as it came';

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
/**
 * A key decoded from a cursor, up to its first NUL character: no key holds one (the API refuses
 * it), so the rows after `ab` and after `ab\0cd` are the same rows, and the database (FerretDB on
 * PostgreSQL) cannot take a NUL in a query.
 */
const unbase64url = (value: string): string =>
  Buffer.from(value, 'base64url').toString('utf8').split('\u0000', 1)[0]!;

const encode = (key: PageKey): string => `${key.at.getTime()}.${base64url(key.id)}`;

function decode(value: string): PageKey {
  const dot = value.indexOf('.');
  return { at: new Date(Number(value.slice(0, dot))), id: unbase64url(value.slice(dot + 1)) };
}

/** The `cursor` parameter of a newest-first list; it arrives decoded as the page's key. */
export const cursor = z
  .string()
  .regex(PAGE_CURSOR, CURSOR_MESSAGE)
  .transform(decode)
  .optional()
  .describe("The previous page's nextCursor; absent for the first page");

/** What to answer as `nextCursor`. */
export const nextCursorOf = (next: PageKey | null): string | null => (next ? encode(next) : null);

export const nextCursorView = z
  .string()
  .nullable()
  .describe('Pass as `cursor` for the next page; null on the last page');

/**
 * Paging of a whole set a client usually reads entire (customers, products, their mappings, a
 * run's results): in the order of the set's key, `pageSize` rows (default 500, so most partners
 * read one page), and a `cursor`.
 */
export const setPageSize = decimalInt(1, 1000)
  .optional()
  .describe('Rows per page, 1 to 1000 (default 500)');

export const DEFAULT_SET_PAGE_SIZE = 500;

/** The `cursor` parameter of a set's list; it arrives decoded as the last key of the page before. */
export const keyCursor = z
  .string()
  .regex(KEY_CURSOR, CURSOR_MESSAGE)
  .transform(unbase64url)
  .optional()
  .describe("The previous page's nextCursor; absent for the first page");

/** What to answer as a set's `nextCursor`. */
export const nextKeyCursorOf = (next: string | null): string | null =>
  next === null ? null : base64url(next);

/** The query of a set's list. */
export const setPageQuery = z.object({ pageSize: setPageSize, cursor: keyCursor });

/** The page a set's list asks the repository for. */
export const setPageOf = (query: z.infer<typeof setPageQuery>) => ({
  after: query.cursor,
  limit: query.pageSize ?? DEFAULT_SET_PAGE_SIZE,
});
