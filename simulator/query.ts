import {
  ConditionsSyntaxError,
  evaluate,
  getPath,
  parseConditions,
  conditionFields,
  type Condition,
} from './conditions';
import { badRequest } from './errors';
import { schemaAtPath } from './openapi';
import type { SimRecord } from './resources';

export const DEFAULT_PAGE_SIZE = 25;
/** CW's hard cap. A larger pageSize is clamped to it rather than refused (verify). */
export const MAX_PAGE_SIZE = 1000;

/** The three filters a list or `/count` takes, all in the `conditions` grammar. */
export interface Filters {
  conditions?: string;
  /** Same grammar over the same record; meant for child collections such as `types/id=2`. */
  childConditions?: string;
  /** Same grammar over each element of the record's `customFields` (`caption="X" and value="Y"`). */
  customFieldConditions?: string;
}

export interface ListParams extends Filters {
  orderBy?: string;
  fields?: string;
  page?: number;
  pageSize?: number;
  pageId?: number;
  /** `pagination-type: forward-only` header: `pageId` means `id > pageId`, and only rel="next" is linked. */
  forwardOnly: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function int(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw badRequest(`${name} must be an integer.`);
  return n;
}

/** Reads the list parameters from an (already spec-validated) query and headers. */
export function listParams(query: Record<string, unknown>, forwardOnly: boolean): ListParams {
  return {
    conditions: str(query.conditions),
    childConditions: str(query.childConditions),
    customFieldConditions: str(query.customFieldConditions),
    orderBy: str(query.orderBy),
    fields: str(query.fields),
    page: int('page', query.page),
    pageSize: int('pageSize', query.pageSize),
    pageId: int('pageId', query.pageId),
    forwardOnly,
  };
}

function checkField(schemaName: string, path: string[], where: string): void {
  if (!schemaAtPath(schemaName, path)) {
    throw badRequest(`Unknown field '${path.join('/')}' in ${where}.`);
  }
}

function parse(name: keyof Filters, src: string): Condition {
  try {
    return parseConditions(src);
  } catch (e) {
    if (e instanceof ConditionsSyntaxError) throw badRequest(`Invalid ${name}: ${e.message}.`);
    throw e;
  }
}

/** A parsed filter whose fields all exist on `schemaName`, or a 400 naming the parameter. */
function compile(name: keyof Filters, src: string, schemaName: string): Condition {
  const expr = parse(name, src);
  for (const path of conditionFields(expr)) checkField(schemaName, path, name);
  return expr;
}

/**
 * `conditions` and `childConditions` both test the record (a child path such as `types/id` matches
 * when any element does); `customFieldConditions` must hold for one element of `customFields`, so
 * a record without custom fields never matches it. All three must hold.
 */
export function filter(records: SimRecord[], schemaName: string, f: Filters): SimRecord[] {
  const tests: ((r: SimRecord) => boolean)[] = [];
  for (const name of ['conditions', 'childConditions'] as const) {
    const src = f[name];
    if (!src) continue;
    const expr = compile(name, src, schemaName);
    tests.push((r) => evaluate(expr, r));
  }
  if (f.customFieldConditions) {
    const expr = compile('customFieldConditions', f.customFieldConditions, 'CustomFieldValue');
    tests.push(
      (r) => Array.isArray(r.customFields) && r.customFields.some((c) => evaluate(expr, c)),
    );
  }
  return tests.length === 0 ? records : records.filter((r) => tests.every((t) => t(r)));
}

function compareValues(a: unknown, b: unknown): number {
  const aNull = a === undefined || a === null;
  const bNull = b === undefined || b === null;
  // SQL Server puts NULLs first in ascending order.
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = (typeof a === 'string' ? a : JSON.stringify(a)).toLowerCase();
  const y = (typeof b === 'string' ? b : JSON.stringify(b)).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `orderBy=name asc, id desc`; ties fall back to id ascending so pages are stable. */
export function order(records: SimRecord[], schemaName: string, orderBy?: string): SimRecord[] {
  if (!orderBy) return records;
  const keys = orderBy.split(',').map((part) => {
    const m = /^\s*([A-Za-z_][\w/]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m?.[1]) throw badRequest(`Invalid orderBy '${orderBy}'.`);
    const path = m[1].split('/');
    checkField(schemaName, path, 'orderBy');
    return { path, dir: m[2]?.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return [...records].sort((a, b) => {
    for (const { path, dir } of keys) {
      const c = compareValues(getPath(a, path), getPath(b, path));
      if (c !== 0) return c * dir;
    }
    return a.id - b.id;
  });
}

type FieldTree = Map<string, FieldTree>;

function fieldTree(fields: string): FieldTree {
  const root: FieldTree = new Map();
  for (const f of fields.split(',')) {
    let node = root;
    for (const seg of f.trim().split('/').filter(Boolean)) {
      let child = node.get(seg);
      if (!child) {
        child = new Map();
        node.set(seg, child);
      }
      node = child;
    }
  }
  return root;
}

function pick(value: unknown, tree: FieldTree): unknown {
  if (tree.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => pick(v, tree));
  const out: Record<string, unknown> = {};
  for (const [key, sub] of tree) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = pick(v, sub);
  }
  return out;
}

/** `fields=id,company/id,billingCycle/name`; unknown names are silently left out, as CW does (verify). */
export function project<T>(record: T, fields?: string): T {
  return (fields ? pick(record, fieldTree(fields)) : record) as T;
}

export interface Page {
  rows: SimRecord[];
  /** rel → the page (or pageId) to link; the caller turns these into URLs. */
  links: { rel: 'first' | 'prev' | 'next' | 'last'; set: Record<string, string> }[];
}

function effectivePageSize(p: ListParams): number {
  if (p.pageSize !== undefined && p.pageSize < 1) throw badRequest('pageSize must be at least 1.');
  return Math.min(p.pageSize ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

export function paginate(records: SimRecord[], p: ListParams): Page {
  const size = effectivePageSize(p);
  if (p.forwardOnly) {
    const after = p.pageId ?? 0;
    const rest = [...records].sort((a, b) => a.id - b.id).filter((r) => r.id > after);
    const rows = rest.slice(0, size);
    const last = rows[rows.length - 1];
    const links: Page['links'] =
      rest.length > size && last ? [{ rel: 'next', set: { pageId: String(last.id) } }] : [];
    return { rows, links };
  }
  const page = p.page ?? 1;
  if (page < 1) throw badRequest('page must be at least 1.');
  const lastPage = Math.max(1, Math.ceil(records.length / size));
  const rows = records.slice((page - 1) * size, page * size);
  const links: Page['links'] = [];
  if (page > 1) {
    links.push({ rel: 'first', set: { page: '1' } });
    links.push({ rel: 'prev', set: { page: String(Math.min(page - 1, lastPage)) } });
  }
  if (page < lastPage) {
    links.push({ rel: 'next', set: { page: String(page + 1) } });
    links.push({ rel: 'last', set: { page: String(lastPage) } });
  }
  return { rows, links };
}

/**
 * The `Link` header for a page: each URL is the request's own URL with every query parameter kept
 * (conditions, fields, orderBy, pageSize...) and only the page (or pageId) replaced. Rels are quoted,
 * `<…>; rel="next"`, as CW writes them.
 */
export function linkHeader(requestUrl: URL, links: Page['links']): string | undefined {
  if (links.length === 0) return undefined;
  return links
    .map(({ rel, set }) => {
      const url = new URL(requestUrl.href);
      for (const [k, v] of Object.entries(set)) url.searchParams.set(k, v);
      if (set.pageId) url.searchParams.delete('page');
      return `<${url.href}>; rel="${rel}"`;
    })
    .join(', ');
}
