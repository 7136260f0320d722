import { z } from 'zod';
import { CodebaseTracker, type CodebaseRefreshOptions } from './codebase-refresh';
import type { CompanyInfo } from './company-info';
import { ClientErrorCode, ConnectWiseError, invalidRequest } from './errors';
import type {
  ConnectWiseClient,
  CountQuery,
  ListAllQuery,
  ListPage,
  RequestOptions,
} from './client-interface';
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
import { DEFAULT_TIMEOUTS, type ConnectWiseTimeouts } from './timeouts';

export type {
  ConnectWiseClient,
  CountQuery,
  ListAllQuery,
  ListPage,
  RequestOptions,
} from './client-interface';

export const DEFAULT_API_VERSION = '2025.8';

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
  onCodebaseChange?: CodebaseRefreshOptions['onCodebaseChange'];
}

const API_PATH = /^(\/[A-Za-z0-9_]+)+\/?$/;
const countSchema = z.looseObject({ count: z.number().int().nonnegative() });

interface Exchange {
  res: TransportResponse;
  url: string;
}

/**
 * ConnectWiseClient over HTTP: builds each request (URL, headers, timeout), follows the pages and
 * checks every answer against its schema; the codebase and its retry are CodebaseTracker's.
 */
export class ConnectWiseHttpClient implements ConnectWiseClient {
  readonly origin: string;
  readonly apiVersion: string;
  // Private fields keep credentials out of console.log, util.inspect and JSON.stringify.
  readonly #headers: Record<string, string>;
  readonly #fetch: FetchLike;
  readonly #timeouts: ConnectWiseTimeouts;
  readonly #maxResponseBytes: number;
  readonly #listLimits: ListLimits;
  readonly #codebase: CodebaseTracker;

  constructor(config: ConnectWiseHttpClientConfig) {
    this.origin = config.origin;
    this.apiVersion = config.apiVersion ?? DEFAULT_API_VERSION;
    this.#fetch = config.fetch ?? fetch;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.#maxResponseBytes = config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#listLimits = { ...DEFAULT_LIST_LIMITS, ...config.listLimits };
    this.#codebase = new CodebaseTracker(config.codebase, config.companyInfo, {
      origin: config.origin,
      companyId: config.companyId,
      fetch: this.#fetch,
      timeoutMs: this.#timeouts.readMs,
      maxResponseBytes: this.#maxResponseBytes,
      onCodebaseChange: config.onCodebaseChange,
    });
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
    return this.#codebase.codebase;
  }

  get companyInfo(): CompanyInfo | undefined {
    return this.#codebase.companyInfo;
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
    return await this.#codebase.run(attempt, options.signal);
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
