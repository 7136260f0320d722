import { z } from 'zod';
import type { PageKey } from '../../db/page';
import { decimalInt } from './decimal';

/**
 * Paging of the engine's own records: `pageSize` rows, newest first, and an opaque `cursor` (the
 * `nextCursor` of the page before; null on the last page). A cursor is the last row's date and id,
 * so rows written meanwhile neither repeat nor hide others.
 */
export const pageSize = decimalInt(1, 200)
  .optional()
  .describe('Rows per page, 1 to 200 (default 50)');

export const DEFAULT_PAGE_SIZE = 50;

const CURSOR_MESSAGE = 'must be a nextCursor this API answered, as it came';

const encode = (key: PageKey): string =>
  Buffer.from(JSON.stringify([key.at.toISOString(), key.id])).toString('base64url');

function decode(value: string, id: RegExp): PageKey | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [at, key] = parsed as unknown[];
    if (typeof at !== 'string' || typeof key !== 'string' || !id.test(key)) return undefined;
    const date = new Date(at);
    return Number.isNaN(date.getTime()) || date.toISOString() !== at
      ? undefined
      : { at: date, id: key };
  } catch {
    return undefined;
  }
}

/** The `cursor` parameter, its row ids matching `id`; it arrives decoded as the page's key. */
export const cursor = (id: RegExp) =>
  z
    .string()
    .max(600, CURSOR_MESSAGE)
    .transform((value, ctx): PageKey => {
      const key = decode(value, id);
      if (!key) ctx.addIssue({ code: 'custom', message: CURSOR_MESSAGE });
      return key ?? { at: new Date(0), id: '' };
    })
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
 * read one page), and an opaque `cursor`.
 */
export const setPageSize = decimalInt(1, 1000)
  .optional()
  .describe('Rows per page, 1 to 1000 (default 500)');

export const DEFAULT_SET_PAGE_SIZE = 500;

/** The `cursor` parameter of a set's list; it arrives decoded as the last key of the page before. */
export const keyCursor = z
  .string()
  .max(1200, CURSOR_MESSAGE)
  .transform((value, ctx): string => {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      if (Array.isArray(parsed) && parsed.length === 1 && typeof parsed[0] === 'string') {
        return parsed[0];
      }
    } catch {
      // told below
    }
    ctx.addIssue({ code: 'custom', message: CURSOR_MESSAGE });
    return '';
  })
  .optional()
  .describe("The previous page's nextCursor; absent for the first page");

/** What to answer as a set's `nextCursor`. */
export const nextKeyCursorOf = (next: string | null): string | null =>
  next === null ? null : Buffer.from(JSON.stringify([next])).toString('base64url');

/** The query of a set's list. */
export const setPageQuery = z.object({ pageSize: setPageSize, cursor: keyCursor });

/** The page a set's list asks the repository for. */
export const setPageOf = (query: z.infer<typeof setPageQuery>) => ({
  after: query.cursor,
  limit: query.pageSize ?? DEFAULT_SET_PAGE_SIZE,
});
