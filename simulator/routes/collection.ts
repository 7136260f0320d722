import { notFound } from '../errors';
import { getPath } from '../conditions';
import { operations } from '../openapi';
import { applyPatch, type PatchOperation } from '../patch';
import { filter, linkHeader, listParams, order, paginate, project } from '../query';
import { RESOURCES, type CollectionName, type SimRecord } from '../resources';
import type { RequestCtx, Route, RouteTable } from './types';

export function intParam(ctx: RequestCtx, name: string): number {
  const n = Number(ctx.params[name]);
  if (!Number.isInteger(n)) throw notFound(`${name} ${ctx.params[name]} not found`);
  return n;
}

/** The parent record of a child collection (`/service/boards/{parentId}/statuses`), or 404. */
export function requireParent(ctx: RequestCtx, collection: CollectionName): SimRecord | undefined {
  const parent = RESOURCES[collection].parent;
  if (!parent) return undefined;
  const id = intParam(ctx, 'parentId');
  const record = ctx.store.get(parent.collection, id);
  if (!record) throw notFound(`${RESOURCES[parent.collection].label} ${id} not found`);
  return record;
}

/** The records a request may see: all of them, or the parent's children. */
export function scoped(ctx: RequestCtx, collection: CollectionName): SimRecord[] {
  const parent = requireParent(ctx, collection);
  const all = ctx.store.list(collection);
  const path = RESOURCES[collection].parent?.path;
  return parent && path ? all.filter((r) => getPath(r, path) === parent.id) : all;
}

export function requireRecord(
  ctx: RequestCtx,
  collection: CollectionName,
  param = 'id',
): SimRecord {
  const id = intParam(ctx, param);
  const record = scoped(ctx, collection).find((r) => r.id === id);
  if (!record) throw notFound(`${RESOURCES[collection].label} ${id} not found`);
  return record;
}

/** A copy for the wire, so no caller can reach into the store. */
export function render(record: SimRecord, fields?: string): SimRecord {
  return project(structuredClone(record), fields);
}

/**
 * List, `/count` and `/{id}` for one collection, written once: conditions (and childConditions,
 * customFieldConditions), orderBy, fields, page,
 * pageSize, forward-only paging and Link headers. Only the operations the spec has are returned.
 */
export function readRoutes(base: string, collection: CollectionName): RouteTable {
  const schemaName = RESOURCES[collection].schema;
  const stem = base.replace(/\/$/, '');
  const table: RouteTable = {
    [`GET ${base}`]: {
      collection,
      handler: (ctx) => {
        const p = listParams(ctx.query, ctx.forwardOnly);
        const rows = order(filter(scoped(ctx, collection), schemaName, p), schemaName, p.orderBy);
        const page = paginate(rows, p);
        const link = linkHeader(ctx.requestUrl, page.links);
        const headers: Record<string, string> = link ? { Link: link } : {};
        return { status: 200, body: page.rows.map((r) => render(r, p.fields)), headers };
      },
    },
    [`GET ${stem}/count`]: {
      collection,
      handler: (ctx) => {
        const p = listParams(ctx.query, false);
        return {
          status: 200,
          body: { count: filter(scoped(ctx, collection), schemaName, p).length },
        };
      },
    },
    [`GET ${stem}/{id}`]: {
      collection,
      handler: (ctx) => {
        const p = listParams(ctx.query, false);
        return { status: 200, body: render(requireRecord(ctx, collection), p.fields) };
      },
    },
  };
  const inSpec = new Set(operations().map((o) => `${o.method} ${o.template}`));
  return Object.fromEntries(Object.entries(table).filter(([key]) => inSpec.has(key)));
}

/**
 * PATCH of one record, written once: CW's JSON-Patch dialect checked against the collection's
 * spec schema (`readOnly` fields refused), then stored by the collection's own `save` rules.
 */
export function patchRoute(
  collection: CollectionName,
  save: (ctx: RequestCtx, patched: SimRecord, current: SimRecord) => SimRecord,
  readOnly: readonly string[] = [],
): Route {
  const { schema, resource } = RESOURCES[collection];
  return {
    collection,
    handler: (ctx) => {
      const current = requireRecord(ctx, collection);
      const ops = ctx.body as PatchOperation[];
      const patched = applyPatch(current, ops, schema, resource, new Set(readOnly));
      return { status: 200, body: render(save(ctx, patched, current)) };
    },
  };
}

/** A write body with the fields a client may not set stripped (the server assigns them). */
export function writable(body: unknown, drop: string[] = []): Record<string, unknown> {
  const copy = structuredClone((body ?? {}) as Record<string, unknown>);
  for (const key of ['id', '_info', ...drop]) delete copy[key];
  return copy;
}
