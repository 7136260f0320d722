import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond } from '../conditions';
import { assertEngineKey, assertId, idSegment } from '../ids';
import { parseInput } from '../input';
import type { PatchOperation } from '../patch';
import {
  catalogItemSchema,
  newCatalogItemSchema,
  productCategorySchema,
  productSubcategorySchema,
  productTypeSchema,
  type CatalogItem,
  type NewCatalogItem,
  type ProductCategory,
  type ProductSubcategory,
  type ProductType,
} from '../schemas/catalog';
import { fieldsOf } from '../schemas/common';

const PATH = '/procurement/catalog';

export type CatalogItemPatchField =
  | 'description'
  | 'customerDescription'
  | 'price'
  | 'cost'
  | 'taxableFlag'
  | 'inactiveFlag'
  | 'integrationXRef'
  | 'category'
  | 'subcategory'
  | 'type'
  | 'productClass';

export async function getCatalogItem(
  client: ConnectWiseClient,
  itemId: number,
  options?: RequestOptions,
): Promise<CatalogItem> {
  return await client.get(`${PATH}/${idSegment(itemId)}`, catalogItemSchema, {}, options);
}

/** Identifiers are unique in ConnectWise, so this returns zero or one item. Engine keys only. */
export async function findCatalogItemsByIdentifier(
  client: ConnectWiseClient,
  identifier: string,
  options?: RequestOptions,
): Promise<CatalogItem[]> {
  return await client.listAll(
    PATH,
    catalogItemSchema,
    { conditions: cond.eq('identifier', assertEngineKey(identifier, 'Catalog identifier')) },
    options,
  );
}

/**
 * Our product key (an engine key) lives in integrationXRef; whether CW filters on it is unverified
 * (docs/connectwise.md §9.5).
 */
export async function findCatalogItemsByIntegrationXRef(
  client: ConnectWiseClient,
  integrationXRef: string,
  options?: RequestOptions,
): Promise<CatalogItem[]> {
  return await client.listAll(
    PATH,
    catalogItemSchema,
    {
      conditions: cond.eq('integrationXRef', assertEngineKey(integrationXRef, 'integrationXRef')),
    },
    options,
  );
}

/**
 * Engine keys of each kind per request. A key is up to 60 characters and the whole list travels
 * in the URL, which on-premise IIS servers cap (2 KB by default; see by-ids.ts): 10 of each kind
 * keep a request near 1.5 KB once quoted and percent-encoded.
 */
export const CATALOG_KEYS_PER_QUERY = 10;

export interface CatalogKeys {
  integrationXRefs: readonly string[];
  identifiers: readonly string[];
}

/**
 * Every catalog item whose integrationXRef or identifier is one of these engine keys, in
 * few requests (`integrationXRef in (…) or identifier in (…)`), inactive ones included: one read
 * pass for a whole billing run instead of one lookup per sku. Identifiers match case-insensitively,
 * as ConnectWise compares them; the caller matches the rows to its keys.
 */
export async function findCatalogItemsByKeys(
  client: ConnectWiseClient,
  keys: CatalogKeys,
  options?: RequestOptions,
): Promise<CatalogItem[]> {
  const xrefs = [...new Set(keys.integrationXRefs)].map((k) =>
    assertEngineKey(k, 'integrationXRef'),
  );
  const identifiers = [...new Set(keys.identifiers)].map((k) =>
    assertEngineKey(k, 'Catalog identifier'),
  );
  const found = new Map<number, CatalogItem>();
  const requests = Math.ceil(Math.max(xrefs.length, identifiers.length) / CATALOG_KEYS_PER_QUERY);
  for (let i = 0; i < requests; i++) {
    const chunk = (list: string[]) =>
      list.slice(i * CATALOG_KEYS_PER_QUERY, (i + 1) * CATALOG_KEYS_PER_QUERY);
    const [x, id] = [chunk(xrefs), chunk(identifiers)];
    const conditions = cond.or(
      x.length > 0 ? cond.in('integrationXRef', x) : undefined,
      id.length > 0 ? cond.in('identifier', id) : undefined,
    );
    const rows = await client.listAll(
      PATH,
      catalogItemSchema,
      { conditions, fields: fieldsOf(catalogItemSchema) },
      options,
    );
    for (const row of rows) found.set(row.id, row);
  }
  return [...found.values()].sort((a, b) => a.id - b.id);
}

export async function createCatalogItem(
  client: ConnectWiseClient,
  item: NewCatalogItem,
  options?: RequestOptions,
): Promise<CatalogItem> {
  return await client.create(
    PATH,
    catalogItemSchema,
    parseInput(newCatalogItemSchema, item, 'catalog item'),
    options,
  );
}

export async function patchCatalogItem(
  client: ConnectWiseClient,
  itemId: number,
  operations: readonly PatchOperation<CatalogItemPatchField>[],
  options?: RequestOptions,
): Promise<CatalogItem> {
  return await client.patch(`${PATH}/${idSegment(itemId)}`, catalogItemSchema, operations, options);
}

export async function listProductCategories(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<ProductCategory[]> {
  return await client.listAll('/procurement/categories', productCategorySchema, {}, options);
}

/** Note the trailing slash: `/procurement/subcategories/` is the contract's spelling. */
export async function listProductSubcategories(
  client: ConnectWiseClient,
  filter: { categoryId?: number } = {},
  options?: RequestOptions,
): Promise<ProductSubcategory[]> {
  const conditions =
    filter.categoryId === undefined
      ? undefined
      : cond.eq('category/id', assertId(filter.categoryId));
  return await client.listAll(
    '/procurement/subcategories/',
    productSubcategorySchema,
    { conditions },
    options,
  );
}

export async function listProductTypes(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<ProductType[]> {
  return await client.listAll('/procurement/types', productTypeSchema, {}, options);
}
