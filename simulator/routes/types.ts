import type { CollectionName } from '../resources';
import type { Store } from '../store';

/** What a handler gets: the request already authenticated, spec-validated and permission-checked. */
export interface RequestCtx {
  store: Store;
  method: string;
  template: string;
  /** Path parameters by the spec's names (`id`, `parentId`), still strings. */
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** Absolute URL of the request, for `Link` headers. */
  requestUrl: URL;
  forwardOnly: boolean;
  clientId: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestCtx) => Reply | Promise<Reply>;

export interface Route {
  /** The collection the operation reads or writes; names the resource in validation errors. */
  collection?: CollectionName;
  handler: Handler;
}

/** `METHOD /spec/template` → route. */
export type RouteTable = Record<string, Route>;
