import { z } from 'zod';
import { fetchCompanyInfo, STABLE_CODEBASE, type CompanyInfo } from './company-info';
import { ClientErrorCode, ConnectWiseError, invalidRequest } from './errors';
import type { NextPage } from './link';
import { DEFAULT_LIST_LIMITS, nextPage, PagingGuard, type ListLimits } from './paging';
import { assertPatch, type PatchOperation } from './patch';
import { pathSegment } from './path-segment';
import {
  DEFAULT_ORDER_BY,
  encodeQuery,
  MAX_PAGE_SIZE,
  toQueryParams,
  type ListQuery,
  type QueryParams,
} from './query';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  send,
  type FetchLike,
  type HttpMethod,
  type TransportResponse,
} from './transport';

export interface RequestOptions {
  /** Cancels the request, e.g. Temporal's activity cancellation signal. */
  signal?: AbortSignal;
  /** Overrides the client's default timeout for this one request. */
  timeoutMs?: number;
}

export interface ConnectWiseTimeouts {
  /** GET requests. */
  readMs: number;
  /** POST, PATCH and DELETE. Ticket POSTs have taken ~5 minutes (docs/connectwise.md §3). */
  writeMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectWiseTimeouts = { readMs: 30_000, writeMs: 300_000 };

/** Beyond a write's own timeout, for clocks and the commit itself. */
const COMMIT_MARGIN_MS = 5_000;

/**
 * Until when a write sent at `sentAt` whose answer was never seen (a timeout, a cut connection)
 * may still be committed by ConnectWise: a create is not sent again before then, or it may land
 * twice. Billing (services/billing/reconcile.ts) and tickets (services/tickets/open.ts) wait it out.
 */
export const writeInDoubtUntil = (sentAt: Date | string, writeTimeoutMs: number): number =>
  new Date(sentAt).getTime() + writeTimeoutMs + COMMIT_MARGIN_MS;
export const DEFAULT_API_VERSION = '2025.8';

export interface ListPage<T> {
  items: T[];
  /** True when ConnectWise says a further page exists. */
  hasMore: boolean;
}

export type CountQuery = Pick<ListQuery, 'conditions' | 'childConditions'>;
export type ListAllQuery = Omit<ListQuery, 'page' | 'pageId'>;

/**
 * The generic ConnectWise calls every operation module is written with. Paths are API paths under
 * `/{codebase}apis/3.0`, spelled exactly as in the contract (e.g. `/procurement/subcategories/`).
 */
export interface ConnectWiseClient {
  readonly origin: string;
  readonly codebase: string;
  readonly apiVersion: string;
  /** Set when the client discovered its codebase (or refreshed it after a 404). */
  readonly companyInfo: CompanyInfo | undefined;
  get<T>(
    path: string,
    schema: z.ZodType<T>,
    query?: Pick<ListQuery, 'fields'>,
    options?: RequestOptions,
  ): Promise<T>;
  /** One page; `hasMore` follows the Link header, or a full page when there is none. */
  listPage<T>(
    path: string,
    schema: z.ZodType<T>,
    query?: ListQuery,
    options?: RequestOptions,
  ): Promise<ListPage<T>>;
  /** Every page, resending every parameter; orderBy defaults to `id asc`, pageSize to 1000. */
  listAll<T>(
    path: string,
    schema: z.ZodType<T>,
    query?: ListAllQuery,
    options?: RequestOptions,
  ): Promise<T[]>;
  /** `GET {collection}/count`. */
  count(path: string, query?: CountQuery, options?: RequestOptions): Promise<number>;
  create<T>(
    path: string,
    schema: z.ZodType<T>,
    body: unknown,
    options?: RequestOptions,
  ): Promise<T>;
  patch<T>(
    path: string,
    schema: z.ZodType<T>,
    operations: readonly PatchOperation[],
    options?: RequestOptions,
  ): Promise<T>;
  delete(path: string, options?: RequestOptions): Promise<void>;
}

export interface ConnectWiseHttpClientConfig {
  origin: string;
  codebase: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  apiVersion?: string;
  fetch?: FetchLike;
  timeouts?: Partial<ConnectWiseTimeouts>;
  /** Largest response body read; default 32 MiB. */
  maxResponseBytes?: number;
  /** Page and row caps of `listAll`; default 2,000 pages and 500,000 rows. */
  listLimits?: Partial<ListLimits>;
  companyInfo?: CompanyInfo;
  /** Called (and awaited) when a 404 led to a new codebase, so the engine can save it. */
  onCodebaseChange?: (codebase: string, info: CompanyInfo) => void | Promise<void>;
}

const API_PATH = /^(\/[A-Za-z0-9_]+)+\/?$/;
/** At most one CompanyInfo re-read per client per minute, however many 404s arrive. */
export const CODEBASE_REFRESH_INTERVAL_MS = 60_000;
// A ConnectWise body naming a missing record, e.g. `{"code":"NotFound","message":"Ticket 42 not
// found"}`: a record id and "not found", no path. A stale codebase shows as a missing route.
const RECORD_NOT_FOUND = /^(?=.*\bnot found\b)(?=.*\b\d+\b)[^/]*$/i;
const countSchema = z.looseObject({ count: z.number().int().nonnegative() });

interface Exchange {
  res: TransportResponse;
  url: string;
}

export class ConnectWiseHttpClient implements ConnectWiseClient {
  readonly origin: string;
  readonly apiVersion: string;
  #codebase: string;
  #companyInfo: CompanyInfo | undefined;
  // Private fields keep credentials out of console.log, util.inspect and JSON.stringify.
  readonly #headers: Record<string, string>;
  readonly #companyId: string;
  readonly #fetch: FetchLike;
  readonly #timeouts: ConnectWiseTimeouts;
  readonly #maxResponseBytes: number;
  readonly #listLimits: ListLimits;
  #lastRefreshAt: number | undefined;
  readonly #onCodebaseChange: ConnectWiseHttpClientConfig['onCodebaseChange'];

  constructor(config: ConnectWiseHttpClientConfig) {
    this.origin = config.origin;
    this.apiVersion = config.apiVersion ?? DEFAULT_API_VERSION;
    this.#codebase = config.codebase;
    this.#companyInfo = config.companyInfo;
    this.#companyId = config.companyId;
    this.#fetch = config.fetch ?? fetch;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.#maxResponseBytes = config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#listLimits = { ...DEFAULT_LIST_LIMITS, ...config.listLimits };
    this.#onCodebaseChange = config.onCodebaseChange;
    const basic = Buffer.from(
      `${config.companyId}+${config.publicKey}:${config.privateKey}`,
      'utf8',
    ).toString('base64');
    this.#headers = {
      Authorization: `Basic ${basic}`,
      Accept: `application/vnd.connectwise.com+json; version=${this.apiVersion}`,
    };
    if (config.clientId !== '') this.#headers.clientId = config.clientId;
  }

  get codebase(): string {
    return this.#codebase;
  }

  get companyInfo(): CompanyInfo | undefined {
    return this.#companyInfo;
  }

  async get<T>(
    path: string,
    schema: z.ZodType<T>,
    query: Pick<ListQuery, 'fields'> = {},
    options?: RequestOptions,
  ): Promise<T> {
    const { res } = await this.#exchange('GET', path, toQueryParams(query), undefined, options);
    return this.#parse(schema, res, 'GET', path);
  }

  async listPage<T>(
    path: string,
    schema: z.ZodType<T>,
    query: ListQuery = {},
    options?: RequestOptions,
  ): Promise<ListPage<T>> {
    const { res, url } = await this.#exchange(
      'GET',
      path,
      toQueryParams(query),
      undefined,
      options,
    );
    const items = this.#parse(z.array(schema), res, 'GET', path);
    const cursor: NextPage = { page: query.page ?? 1 };
    const next = nextPage(path, res.headers, url, items.length, query.pageSize ?? 25, cursor);
    return { items, hasMore: next !== null };
  }

  async listAll<T>(
    path: string,
    schema: z.ZodType<T>,
    query: ListAllQuery = {},
    options?: RequestOptions,
  ): Promise<T[]> {
    const base: ListQuery = {
      ...query,
      orderBy: query.orderBy ?? DEFAULT_ORDER_BY,
      pageSize: query.pageSize ?? MAX_PAGE_SIZE,
    };
    const pageSize = base.pageSize as number;
    const all: T[] = [];
    const seen = new Set<string>();
    const guard = new PagingGuard(path, this.#listLimits);
    let cursor: NextPage | null = { page: 1 };
    while (cursor !== null) {
      guard.beforePage();
      const params = toQueryParams({ ...base, ...cursor });
      const key = encodeQuery(params);
      if (seen.has(key)) {
        throw new ConnectWiseError({
          status: 0,
          code: ClientErrorCode.InvalidResponse,
          message: `ConnectWise paging for GET ${path} points back to a page already read`,
          method: 'GET',
          path,
        });
      }
      seen.add(key);
      const { res, url } = await this.#exchange('GET', path, params, undefined, options);
      const items = this.#parse(z.array(schema), res, 'GET', path);
      cursor = nextPage(path, res.headers, url, items.length, pageSize, cursor);
      guard.afterPage(items);
      all.push(...items);
    }
    return all;
  }

  async count(path: string, query: CountQuery = {}, options?: RequestOptions): Promise<number> {
    const countPath = `${path.replace(/\/$/, '')}/count`;
    const params = toQueryParams({
      conditions: query.conditions,
      childConditions: query.childConditions,
    });
    const { res } = await this.#exchange('GET', countPath, params, undefined, options);
    return this.#parse(countSchema, res, 'GET', countPath).count;
  }

  async create<T>(
    path: string,
    schema: z.ZodType<T>,
    body: unknown,
    options?: RequestOptions,
  ): Promise<T> {
    const { res } = await this.#exchange('POST', path, [], body, options);
    return this.#parse(schema, res, 'POST', path);
  }

  async patch<T>(
    path: string,
    schema: z.ZodType<T>,
    operations: readonly PatchOperation[],
    options?: RequestOptions,
  ): Promise<T> {
    assertPatch(operations);
    const { res } = await this.#exchange('PATCH', path, [], operations, options);
    return this.#parse(schema, res, 'PATCH', path);
  }

  async delete(path: string, options?: RequestOptions): Promise<void> {
    await this.#exchange('DELETE', path, [], undefined, options);
  }

  #url(codebase: string, path: string, params: QueryParams): string {
    const query = params.length > 0 ? `?${encodeQuery(params)}` : '';
    // `path` passed API_PATH (only [A-Za-z0-9_] segments); the codebase is encoded like any value.
    return `${this.origin}/${pathSegment(codebase.replace(/\/$/, ''), 'codebase')}/apis/3.0${path}${query}`;
  }

  async #exchange(
    method: HttpMethod,
    path: string,
    params: QueryParams,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<Exchange> {
    if (!API_PATH.test(path)) throw invalidRequest(`"${path}" is not a ConnectWise API path`);
    const attempt = async (codebase: string): Promise<Exchange> => {
      const url = this.#url(codebase, path, params);
      const res = await send(this.#fetch, {
        method,
        url,
        path,
        headers: this.#headers,
        body,
        timeoutMs:
          options.timeoutMs ?? (method === 'GET' ? this.#timeouts.readMs : this.#timeouts.writeMs),
        signal: options.signal,
        maxResponseBytes: this.#maxResponseBytes,
      });
      return { res, url };
    };
    const codebase = this.#codebase;
    try {
      return await attempt(codebase);
    } catch (err) {
      if (!(err instanceof ConnectWiseError) || !this.#mayRefreshAfter(err, codebase)) throw err;
      const fresh = await this.#refreshCodebase(codebase, options.signal);
      if (fresh === undefined) throw err;
      return await attempt(fresh);
    }
  }

  /**
   * Whether a failure is worth a CompanyInfo re-read: a 404 that could be a stale codebase. Not
   * when the stable alias was in use (it survives upgrades), not when ConnectWise named a missing
   * record (the route exists, so the codebase is fine), and not twice within a minute, so a run of
   * lookups for deleted records does not double the request count.
   */
  #mayRefreshAfter(err: ConnectWiseError, used: string): boolean {
    if (err.status !== 404) return false;
    if (used.toLowerCase() === STABLE_CODEBASE) return false;
    if (err.code === 'NotFound' && RECORD_NOT_FOUND.test(err.serverMessage ?? '')) return false;
    const now = Date.now();
    if (
      this.#lastRefreshAt !== undefined &&
      now - this.#lastRefreshAt < CODEBASE_REFRESH_INTERVAL_MS
    ) {
      return false;
    }
    this.#lastRefreshAt = now;
    return true;
  }

  /**
   * After a 404: re-reads CompanyInfo once. Returns the codebase to retry with when it differs
   * from the one the failed request used; undefined (surface the 404) otherwise or when
   * CompanyInfo itself fails.
   */
  async #refreshCodebase(
    used: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    let info: CompanyInfo;
    try {
      info = await fetchCompanyInfo(this.origin, this.#companyId, {
        fetch: this.#fetch,
        timeoutMs: this.#timeouts.readMs,
        signal,
        maxResponseBytes: this.#maxResponseBytes,
      });
    } catch {
      return undefined;
    }
    if (info.codebase === used) return undefined;
    this.#companyInfo = info;
    if (info.codebase !== this.#codebase) {
      this.#codebase = info.codebase;
      await this.#onCodebaseChange?.(info.codebase, info);
    }
    return info.codebase;
  }

  #parse<T>(schema: z.ZodType<T>, res: TransportResponse, method: HttpMethod, path: string): T {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    const issues = z.prettifyError(parsed.error);
    throw new ConnectWiseError({
      status: res.status,
      code: ClientErrorCode.InvalidResponse,
      message: `ConnectWise ${method} ${path} answered in an unexpected form: ${issues.slice(0, 500)}`,
      method,
      path,
    });
  }
}
