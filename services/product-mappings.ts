import { catalogItemsById, type CatalogItem, type ConnectWiseClient } from '../connectwise';
import type { ProductMappingInput, Repositories } from '../db';
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
