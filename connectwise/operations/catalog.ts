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
 * (API-NOTES §9.5).
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
