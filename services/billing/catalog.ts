import {
  catalogItemsById,
  createCatalogItem,
  findCatalogItemsByKeys,
  isConnectWiseError,
  type CatalogItem,
  type ConnectWiseClient,
  type ConnectWiseErrorKind,
  type NewCatalogItem,
} from '../../connectwise';
import type { ProductMapping, ProductMappingInput } from '../../db';
import {
  catalogIdentifier,
  catalogXRef,
  type CatalogDefaults,
} from '../../domain/billing/settings';
import type { Product } from '../../db/repositories/vendor';
import { catalogCreateProblem, missingCatalogDefaults } from './catalog-problem';

export interface EnsureCatalogInput {
  /** The partner's vendor products. */
  products: readonly Product[];
  /**
   * Skus the run bills or once billed (usage in the snapshot, or addition links). May come later
   * than the rest: the stored mappings' items are read meanwhile.
   */
  needed: ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /** Stored sku → catalog item choices: the partner's, and what earlier runs found. */
  mappings: readonly ProductMapping[];
  defaults: CatalogDefaults;
}

export interface EnsuredCatalog {
  /** sku → ConnectWise catalog item id: every sku the run manages. */
  items: Map<string, number>;
  /** Needed skus left without a catalog item, and why. */
  skipped: Array<{ sku: string; reason: string }>;
  /** What this run found or created, to save as the engine's mappings. */
  found: ProductMappingInput[];
  /** In a dry run: skus whose item a run would create (their `items` id is a negative stand-in). */
  toCreate: string[];
}

/** Answers about this item that asking again would not change; anything else is thrown. */
const REFUSALS = new Set<ConnectWiseErrorKind>(['validation', 'permission', 'object_exists']);

const clip = (text: string, max: number) => (text.length <= max ? text : text.slice(0, max));
const byLowestId = (a: CatalogItem, b: CatalogItem) => a.id - b.id;

/** The item an engine key finds: its integrationXRef first, else its identifier. */
function matchByKeys(sku: string, items: readonly CatalogItem[]): CatalogItem | undefined {
  const xref = catalogXRef(sku);
  const identifier = catalogIdentifier(sku).toLowerCase();
  return (
    items.filter((i) => i.integrationXRef === xref).sort(byLowestId)[0] ??
    items.filter((i) => i.identifier.toLowerCase() === identifier).sort(byLowestId)[0]
  );
}

/** Catalog defaults with what the contract requires of a new item. */
type CreatableDefaults = CatalogDefaults & { subcategoryId: number; typeId: number };

const creatable = (d: CatalogDefaults): d is CreatableDefaults =>
  d.subcategoryId != null && d.typeId != null;

function newItem(product: Product, defaults: CreatableDefaults): NewCatalogItem {
  return {
    identifier: catalogIdentifier(product.sku),
    description: clip(product.name, 60),
    customerDescription: clip(product.description || product.name, 6000),
    subcategory: { id: defaults.subcategoryId },
    type: { id: defaults.typeId },
    ...(defaults.categoryId == null ? {} : { category: { id: defaults.categoryId } }),
    ...(defaults.productClass == null ? {} : { productClass: defaults.productClass }),
    price: product.price,
    cost: product.cost,
    integrationXRef: catalogXRef(product.sku),
  };
}

/**
 * One catalog pass for a billing run (docs/connectwise.md §5 CatalogItem): each sku's stored mapping if its
 * item still exists (one read by ids), else the item whose integrationXRef is the engine's key for
 * the sku, else the one whose identifier is (one read pass for every sku), else a new item made
 * with the billing settings' catalog defaults. A mapping the partner made is never replaced: if
 * its item is gone, the sku is skipped with the reason. A create ConnectWise refuses for a setting
 * skips that sku and every later one with the same reason, without asking again.
 */
export async function ensureCatalog(
  client: ConnectWiseClient,
  input: EnsureCatalogInput,
  options: { signal?: AbortSignal; dryRun?: boolean } = {},
): Promise<EnsuredCatalog> {
  const products = new Map(input.products.map((p) => [p.sku, p]));
  const result: EnsuredCatalog = { items: new Map(), skipped: [], found: [], toCreate: [] };
  const mapped = input.mappings.filter((m) => products.has(m.sku));
  const existing = await catalogItemsById(
    client,
    mapped.map((m) => m.catalogItemId),
    options,
  );
  const needed = await input.needed;
  for (const m of mapped) {
    if (existing.has(m.catalogItemId)) result.items.set(m.sku, m.catalogItemId);
    else if (m.source === 'partner' && needed.has(m.sku)) {
      result.skipped.push({
        sku: m.sku,
        reason: `catalog item ${m.catalogItemId}, which sku ${m.sku} is mapped to, no longer exists in ConnectWise: map the sku again`,
      });
    }
  }
  const decided = new Set([...result.items.keys(), ...result.skipped.map((s) => s.sku)]);
  const open = [...needed].filter((sku) => !decided.has(sku)).sort();
  const unknown = open.filter((sku) => !products.has(sku));
  for (const sku of unknown) {
    result.skipped.push({ sku, reason: `sku ${sku} is not one of the partner's products` });
  }
  const wanted = open.filter((sku) => products.has(sku));
  if (wanted.length === 0) return result;

  const candidates = await findCatalogItemsByKeys(
    client,
    {
      integrationXRefs: wanted.map(catalogXRef),
      identifiers: wanted.map(catalogIdentifier),
    },
    options,
  );
  const missing: string[] = [];
  for (const sku of wanted) {
    const item = matchByKeys(sku, candidates);
    if (item) {
      result.items.set(sku, item.id);
      result.found.push({ sku, catalogItemId: item.id, source: 'engine' });
    } else missing.push(sku);
  }
  await createMissing(client, missing, products, input.defaults, result, options);
  return result;
}

async function createMissing(
  client: ConnectWiseClient,
  skus: readonly string[],
  products: ReadonlyMap<string, Product>,
  defaults: CatalogDefaults,
  result: EnsuredCatalog,
  options: { signal?: AbortSignal; dryRun?: boolean },
): Promise<void> {
  if (!creatable(defaults)) {
    const reason = missingCatalogDefaults(defaults);
    for (const sku of skus) result.skipped.push({ sku, reason });
    return;
  }
  if (options.dryRun) {
    // Nothing is created: a stand-in id no ConnectWise item has lets the plan show the additions.
    for (const [i, sku] of skus.entries()) result.items.set(sku, -(i + 1));
    result.toCreate.push(...skus);
    return;
  }
  let settingsProblem: string | undefined;
  for (const sku of skus) {
    if (settingsProblem) {
      result.skipped.push({ sku, reason: settingsProblem });
      continue;
    }
    try {
      const item = await createCatalogItem(client, newItem(products.get(sku)!, defaults), options);
      result.items.set(sku, item.id);
      result.found.push({ sku, catalogItemId: item.id, source: 'engine' });
    } catch (err) {
      if (!isConnectWiseError(err) || !REFUSALS.has(err.kind)) throw err;
      const problem = catalogCreateProblem(err, sku);
      if (problem.settings) settingsProblem = problem.reason;
      result.skipped.push({ sku, reason: problem.reason });
    }
  }
}
