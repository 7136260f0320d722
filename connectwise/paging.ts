import { ClientErrorCode, ConnectWiseError } from './errors';
import { parseNextLink, type NextPage } from './link';

/** Caps that make `listAll` end even when a server keeps answering full pages. */
export interface ListLimits {
  maxPages: number;
  maxRows: number;
}

// 2,000 pages of 1,000 is far beyond any MSP's companies or catalog; the row cap keeps memory
// bounded when a small pageSize is used.
export const DEFAULT_LIST_LIMITS: ListLimits = { maxPages: 2_000, maxRows: 500_000 };

function invalidPaging(path: string, message: string): ConnectWiseError {
  return new ConnectWiseError({
    status: 0,
    code: ClientErrorCode.InvalidResponse,
    message: `ConnectWise paging for GET ${path} ${message}`,
    method: 'GET',
    path,
  });
}

/**
 * Where the next page is, or null. A short page ends paging. With a Link header, its `rel="next"`
 * decides; with none (or a blank one) the client counts pages itself rather than stop early. A
 * page longer than pageSize means the server ignored pageSize, so counting cannot be trusted.
 */
export function nextPage(
  path: string,
  headers: Headers,
  url: string,
  received: number,
  pageSize: number,
  current: NextPage,
): NextPage | null {
  if (received > pageSize) {
    throw invalidPaging(path, `returned ${received} rows for a page of ${pageSize}`);
  }
  if (received < pageSize) return null;
  const link = headers.get('link');
  if (link === null || link.trim() === '') return { page: (current.page ?? 1) + 1 };
  const next = parseNextLink(link, url);
  if (next === null) return null;
  if (next.page === undefined && next.pageId === undefined) {
    throw invalidPaging(path, 'sent a next-page link without a page or pageId');
  }
  return next;
}

function rowKey(row: unknown): string {
  const id = typeof row === 'object' && row !== null ? (row as { id?: unknown }).id : undefined;
  return typeof id === 'number' || typeof id === 'string' ? `id:${id}` : JSON.stringify(row);
}

/**
 * Guards one `listAll` run. An endpoint that ignores `page` answers the same full page forever;
 * that shows as a page starting and ending on the same rows as the one before. The caps end any
 * other endless or oversized run with a clear error instead of exhausting memory.
 */
export class PagingGuard {
  #pages = 0;
  #rows = 0;
  #previous: string | undefined;
  readonly #path: string;
  readonly #limits: ListLimits;

  constructor(path: string, limits: ListLimits) {
    this.#path = path;
    this.#limits = limits;
  }

  /** Call before requesting another page. */
  beforePage(): void {
    if (this.#pages >= this.#limits.maxPages) {
      throw this.#tooLarge(`more than ${this.#limits.maxPages} pages`);
    }
    this.#pages += 1;
  }

  /** Call with each page's rows as they arrive. */
  afterPage(rows: readonly unknown[]): void {
    this.#rows += rows.length;
    if (this.#rows > this.#limits.maxRows) {
      throw this.#tooLarge(`more than ${this.#limits.maxRows} rows`);
    }
    if (rows.length === 0) return;
    const signature = `${rowKey(rows[0])}|${rowKey(rows[rows.length - 1])}`;
    if (signature === this.#previous) {
      throw invalidPaging(
        this.#path,
        `returned the same rows on page ${this.#pages} as on the page before; the server seems to ignore the page parameter`,
      );
    }
    this.#previous = signature;
  }

  #tooLarge(what: string): ConnectWiseError {
    return new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.ListTooLarge,
      message: `ConnectWise GET ${this.#path} went on for ${what}; stopped. Narrow the conditions, or the server is paging wrongly.`,
      method: 'GET',
      path: this.#path,
    });
  }
}
