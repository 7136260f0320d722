import { isCondition, type Condition } from './conditions';
import { invalidRequest } from './errors';
import { FIELD_NAME } from './fields';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_ORDER_BY = 'id asc';

/** Parameters of a ConnectWise list GET. `conditions` only accepts builder output (see cond). */
export interface ListQuery {
  conditions?: Condition;
  childConditions?: Condition;
  /** `field [asc|desc]`, comma-separated for several keys. */
  orderBy?: string;
  fields?: readonly string[];
  page?: number;
  pageSize?: number;
  pageId?: number;
}

export type QueryParams = ReadonlyArray<readonly [string, string]>;

const ORDER_TERM = new RegExp(`^${FIELD_NAME.source.slice(1, -1)}( (asc|desc))?$`);

function positiveInt(name: string, value: number, max = Number.MAX_SAFE_INTEGER): string {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw invalidRequest(`${name} must be a whole number from 1 to ${max} (got ${value})`);
  }
  return String(value);
}

/**
 * Turns a ListQuery into ordered key/value pairs. Validation happens here, before anything is
 * sent: pageSize above ConnectWise's 1000 cap would be silently truncated server-side.
 */
export function toQueryParams(query: ListQuery): QueryParams {
  const params: Array<[string, string]> = [];
  if (query.conditions !== undefined) {
    if (!isCondition(query.conditions)) throw invalidRequest('conditions must be built with cond');
    params.push(['conditions', query.conditions.text]);
  }
  if (query.childConditions !== undefined) {
    if (!isCondition(query.childConditions)) {
      throw invalidRequest('childConditions must be built with cond');
    }
    params.push(['childConditions', query.childConditions.text]);
  }
  if (query.orderBy !== undefined) {
    const terms = query.orderBy.split(',').map((t) => t.trim());
    if (terms.some((t) => !ORDER_TERM.test(t))) {
      throw invalidRequest(`orderBy "${query.orderBy}" is not "field asc|desc"`);
    }
    params.push(['orderBy', terms.join(',')]);
  }
  if (query.fields !== undefined) {
    if (query.fields.length === 0 || query.fields.some((f) => !FIELD_NAME.test(f))) {
      throw invalidRequest(`fields must be a non-empty list of field names`);
    }
    params.push(['fields', query.fields.join(',')]);
  }
  if (query.page !== undefined) params.push(['page', positiveInt('page', query.page)]);
  if (query.pageSize !== undefined) {
    params.push(['pageSize', positiveInt('pageSize', query.pageSize, MAX_PAGE_SIZE)]);
  }
  if (query.pageId !== undefined) params.push(['pageId', positiveInt('pageId', query.pageId)]);
  return params;
}

/**
 * RFC 3986 percent-encoding of every reserved character. encodeURIComponent alone leaves
 * `!'()*` as they are, which the contract (allowReserved: false) does not allow; URLSearchParams
 * would send spaces as `+`, and a literal `+` must travel as %2B (docs/connectwise.md §2).
 */
function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function encodeQuery(params: QueryParams): string {
  return params.map(([k, v]) => `${encodeStrict(k)}=${encodeStrict(v)}`).join('&');
}
