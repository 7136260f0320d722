import {
  catalogItemSchema,
  catalogItemsById,
  cond,
  fieldsOf,
  type CatalogItem,
  type ConnectWiseClient,
  type RequestOptions,
} from '../connectwise';
import type { ProductMappingInput, Repositories } from '../db';
import {
  createCatalogSuggester,
  type CatalogEntry,
  type CatalogSuggestion,
} from '../domain/billing/candidates';
import type { FieldProblem } from './field-problem';

export interface ProductMappingChoice {
  sku: string;
  /** null removes the partner's mapping: the engine finds or creates the item again. */
  catalogItemId: number | null;
}

export interface CheckedProductMappings {
  problems: FieldProblem[];
  /** What to save when there are no problems (source `partner`), and the skus to unmap. */
  save: ProductMappingInput[];
  remove: string[];
  /** The chosen catalog items as ConnectWise has them now. */
  items: Map<number, CatalogItem>;
}

const named = (item: CatalogItem) => `catalog item "${item.identifier}" (${item.id})`;

/**
 * Checks a partner's product mapping choices before anything is written: every sku is a product
 * the vendor pushed, and every catalog item exists in ConnectWise and is active (ConnectWise
 * refuses additions of inactive products). The items are read in `id in (…)` chunks.
 */
export async function checkProductMappings(
  deps: { client: ConnectWiseClient; repos: Pick<Repositories, 'vendor'> },
  partnerId: string,
  choices: readonly ProductMappingChoice[],
  at = 'body.mappings',
): Promise<CheckedProductMappings> {
  const ids = choices.flatMap((c) => (c.catalogItemId === null ? [] : [c.catalogItemId]));
  const [known, items] = await Promise.all([
    deps.repos.vendor.existingSkus(
      partnerId,
      choices.map((c) => c.sku),
    ),
    catalogItemsById(deps.client, ids),
  ]);
  const checked: CheckedProductMappings = { problems: [], save: [], remove: [], items };
  choices.forEach((choice, i) => {
    const add = (field: keyof ProductMappingChoice, message: string) =>
      checked.problems.push({ field: `${at}.${i}.${field}`, message });
    if (!known.has(choice.sku)) {
      add(
        'sku',
        `unknown product ${choice.sku}; push it with PUT /partners/${partnerId}/products first`,
      );
    }
    if (choice.catalogItemId === null) {
      checked.remove.push(choice.sku);
      return;
    }
    const item = items.get(choice.catalogItemId);
    if (!item) add('catalogItemId', `ConnectWise has no catalog item ${choice.catalogItemId}`);
    else if (item.inactiveFlag === true) add('catalogItemId', `${named(item)} is inactive`);
    else checked.save.push({ sku: choice.sku, catalogItemId: item.id, source: 'partner' });
  });
  return checked;
}

/** What the suggestions read of an item; the rest of a catalog item is not needed. */
const catalogEntrySchema = catalogItemSchema.pick({
  id: true,
  identifier: true,
  description: true,
  inactiveFlag: true,
});

/**
 * Every active catalog item, for the product mapping suggestions: one paged read
 * (`conditions=inactiveFlag=false`, `fields=id,identifier,description,inactiveFlag`, 1,000 rows a
 * page). Inactive items are left out: ConnectWise refuses additions of them.
 */
export async function listActiveCatalogEntries(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<CatalogEntry[]> {
  const rows = await client.listAll(
    '/procurement/catalog',
    catalogEntrySchema,
    { conditions: cond.eq('inactiveFlag', false), fields: fieldsOf(catalogEntrySchema) },
    options,
  );
  return rows
    .filter((row) => row.inactiveFlag !== true)
    .map(({ id, identifier, description }) => ({ id, identifier, description }));
}

/**
 * Up to 3 active catalog items per product that resemble it by name (domain/billing/candidates.ts
 * productResemblance, at least CANDIDATE_MIN_SCORE), the item it is mapped to left out. Only ever
 * shown to the partner; nothing is mapped by them.
 */
export function suggestCatalogItems(
  catalog: readonly CatalogEntry[],
): (product: { sku: string; name: string }, mappedTo?: number | null) => CatalogSuggestion[] {
  const suggest = createCatalogSuggester(catalog, { limit: 4 });
  return (product, mappedTo) =>
    suggest(product)
      .filter((s) => s.catalogItemId !== mappedTo)
      .slice(0, 3);
}
