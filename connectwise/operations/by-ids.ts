import pLimit from 'p-limit';
import type { z } from 'zod';
import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond } from '../conditions';
import { agreementSchema, type Agreement } from '../schemas/agreement';
import { catalogItemSchema, type CatalogItem } from '../schemas/catalog';
import { fieldsOf } from '../schemas/common';
import { companySchema, type Company } from '../schemas/company';
import { ticketStateReadSchema, type TicketStateRead } from '../schemas/service';

/**
 * Ids per request: a list condition travels in the URL, and on-premise IIS servers refuse long
 * query strings (2 KB by default), so a very long list is read in a few requests, not hundreds.
 */
export const IDS_PER_QUERY = 100;
/** Requests of one look-up in flight at once, unless the caller gives its own bound. */
const QUERIES_AT_ONCE = 4;

/** A look-up's request options, and how many of its requests may be in flight at once. */
export type ByIdsOptions = RequestOptions & { concurrency?: number };

async function byIds<T extends { id: number }>(
  client: ConnectWiseClient,
  path: string,
  schema: z.ZodType<T> & { shape: Record<string, unknown> },
  ids: readonly number[],
  { concurrency = QUERIES_AT_ONCE, ...options }: ByIdsOptions = {},
): Promise<Map<number, T>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const chunks: number[][] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY)
    chunks.push(unique.slice(i, i + IDS_PER_QUERY));
  // A few requests at once: a thousand agreements are 10 reads, not 10 round trips in a row.
  const limit = pLimit(Math.max(1, concurrency));
  const pages = await Promise.all(
    chunks.map((chunk) =>
      limit(() =>
        client.listAll(
          path,
          schema,
          { conditions: cond.in('id', chunk), fields: fieldsOf(schema) },
          options,
        ),
      ),
    ),
  );
  return new Map(pages.flat().map((row) => [row.id, row]));
}

/** The companies with these ids, deleted ones included (the caller decides about them). */
export const companiesById = (
  client: ConnectWiseClient,
  ids: readonly number[],
  options?: RequestOptions,
): Promise<Map<number, Company>> =>
  byIds(client, '/company/companies', companySchema, ids, options);

/** The agreements with these ids, cancelled ones included. */
export const agreementsById = (
  client: ConnectWiseClient,
  ids: readonly number[],
  options?: ByIdsOptions,
): Promise<Map<number, Agreement>> =>
  byIds(client, '/finance/agreements', agreementSchema, ids, options);

/** The catalog items with these ids, inactive ones included. */
export const catalogItemsById = (
  client: ConnectWiseClient,
  ids: readonly number[],
  options?: RequestOptions,
): Promise<Map<number, CatalogItem>> =>
  byIds(client, '/procurement/catalog', catalogItemSchema, ids, options);

/** The tickets with these ids, as the engine reads them back (a deleted one is simply absent). */
export const ticketsById = (
  client: ConnectWiseClient,
  ids: readonly number[],
  options?: ByIdsOptions,
): Promise<Map<number, TicketStateRead>> =>
  byIds(client, '/service/tickets', ticketStateReadSchema, ids, options);
