import type { z } from 'zod';
import type { CompanyInfo } from './company-info';
import type { PatchOperation } from './patch';
import type { ListQuery } from './query';

/**
 * What a ConnectWise client offers the operation modules (connectwise/operations/), whatever
 * sends the requests: ConnectWiseHttpClient (connectwise/client.ts) does, over HTTP.
 */

export interface RequestOptions {
  /** Cancels the request, e.g. Temporal's activity cancellation signal. */
  signal?: AbortSignal;
  /** Overrides the client's default timeout for this one request. */
  timeoutMs?: number;
}

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
