import type { z } from 'zod';
import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond } from '../conditions';
import { agreementSchema, type Agreement } from '../schemas/agreement';
import { catalogItemSchema, type CatalogItem } from '../schemas/catalog';
import { fieldsOf } from '../schemas/common';
import { companySchema, type Company } from '../schemas/company';

/**
 * Ids per request: a list condition travels in the URL, and on-premise IIS servers refuse long
 * query strings (2 KB by default), so a very long list is read in a few requests, not hundreds.
 */
export const IDS_PER_QUERY = 100;

async function byIds<T extends { id: number }>(
  client: ConnectWiseClient,
  path: string,
  schema: z.ZodType<T> & { shape: Record<string, unknown> },
  ids: readonly number[],
  options?: RequestOptions,
): Promise<Map<number, T>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const found = new Map<number, T>();
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const rows = await client.listAll(
      path,
      schema,
      { conditions: cond.in('id', unique.slice(i, i + IDS_PER_QUERY)), fields: fieldsOf(schema) },
      options,
    );
    for (const row of rows) found.set(row.id, row);
  }
  return found;
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
  options?: RequestOptions,
): Promise<Map<number, Agreement>> =>
  byIds(client, '/finance/agreements', agreementSchema, ids, options);

/** The catalog items with these ids, inactive ones included. */
export const catalogItemsById = (
  client: ConnectWiseClient,
  ids: readonly number[],
  options?: RequestOptions,
): Promise<Map<number, CatalogItem>> =>
  byIds(client, '/procurement/catalog', catalogItemSchema, ids, options);
