/**
 * Additions the engine does not own that may already bill a vendor product. Pure: no I/O.
 *
 * Before the engine first bills a sku on an agreement, an MSP may have billed the same product by
 * hand (before go-live, or under an item of its own): creating the engine's addition next to it
 * would bill the customer twice. findCandidates names the additions that deserve a look, and why;
 * what to do with them is the caller's decision. The same name comparison suggests catalog items
 * for a product on the product mapping screen (createCatalogSuggester), never applied by itself.
 *
 * Names are compared with the Dice similarity of domain/mapping-suggestions.ts over normalizeName
 * (lower case, accents folded, `-`, `_` and other punctuation separating words): the legal-form
 * words dropped from company names ("Co", "SA", "AG"…) can mean something in a product's name.
 */
import { createNameIndex, nameSimilarity, normalizeName, round2 } from '../mapping-suggestions';

export interface ProductToBill {
  sku: string;
  name: string;
  /** the sku's catalog item id this run */
  productId: number;
}

/** An addition on the agreement that the engine did not create or adopt. */
export interface ForeignAddition {
  id: number;
  productId: number;
  productIdentifier: string | null;
  description: string | null;
  quantity: number;
  unitPrice: number | null;
}

/**
 * same_item: it bills the very catalog item the sku is billed as. engine_item: it bills a catalog
 * item the engine made or uses (for any sku). similar_name: its item's identifier or its
 * description resembles the sku or the product's name.
 */
export type CandidateWhy = 'same_item' | 'engine_item' | 'similar_name';

export interface Candidate {
  additionId: number;
  why: CandidateWhy;
  /**
   * How sure the match is, 0..1, two decimals: 1 when the item itself tells (same_item,
   * engine_item), else the names' resemblance (productResemblance).
   */
  score: number;
  /** One sentence for a person. */
  detail: string;
}

/**
 * Threshold for 'similar_name' (and for catalog suggestions): Dice over character bigrams, the
 * normalized words joined without spaces. Measured on the demo tenant and look-alikes:
 *
 * - the same product written differently scores 0.6 or more: `DFX-BROWSER-SEC` vs
 *   `DFX-BROWSER-SEAT` 0.88, "Browser Security" vs "DefensX Browser Security" 0.80, "DefensX
 *   Browser Security" vs "DefensX Browser Seat" 0.79, "Secure DNS" vs "DefensX Secure DNS" 0.70,
 *   `browser` vs `DFX-BROWSER-SEC` 0.67, `DFX-BROWSER-SEC` vs "DefensX Browser Seat" 0.62;
 * - sibling products of one vendor share its name and stay below: "DefensX Secure DNS" vs
 *   "DefensX Browser Security" 0.56, "Web Security" vs it 0.45, `DFX-DLP-SEAT` vs
 *   `DFX-BROWSER-SEC` 0.29, "DefensX Data Loss Prevention" vs "DefensX Browser Security" 0.27;
 * - unrelated items score near 0: "Microsoft 365 Business Premium" 0.04, "Managed Firewall" and
 *   "Legacy Antivirus" 0 against "DefensX Browser Security".
 *
 * A missed look-alike bills a customer twice; a false one only asks the partner to look, so the
 * threshold sits just above the siblings rather than well above them.
 */
export const CANDIDATE_MIN_SCORE = 0.6;

/** The engine's catalog items carry `dfx:` in integrationXRef (domain/billing/settings.ts catalogXRef). */
export const ENGINE_XREF_PREFIX = 'dfx:';

/** Whether a catalog item's integrationXRef says the engine made or uses it. */
export const isEngineXRef = (integrationXRef: string | null | undefined): boolean =>
  integrationXRef?.startsWith(ENGINE_XREF_PREFIX) === true;

/** The texts a side offers for comparison: those that keep a letter or digit once normalized. */
const comparable = (...texts: Array<string | null | undefined>): string[] =>
  texts.filter((t): t is string => typeof t === 'string' && normalizeName(t) !== '');

/**
 * How much a catalog item (its identifier and description) looks like a vendor product (its sku
 * and name): the best nameSimilarity of the four pairs, 0..1 (not rounded); 0 when either side
 * has nothing to compare. Swapping the two sides (identifier ↔ sku, description ↔ name) gives the
 * same score.
 */
export function productResemblance(
  a: { identifier: string | null; description: string | null },
  p: { sku: string; name: string },
): number {
  let best = 0;
  for (const x of comparable(a.identifier, a.description))
    for (const y of comparable(p.sku, p.name)) best = Math.max(best, nameSimilarity(x, y));
  return best;
}

/** `catalog item DFX-BROWSER-SEC ("DefensX Browser Security")`; its id when it has no identifier. */
function itemLabel(addition: ForeignAddition): string {
  const name = addition.productIdentifier ?? `${addition.productId}`;
  return addition.description === null || addition.description === ''
    ? `catalog item ${name}`
    : `catalog item ${name} ("${addition.description}")`;
}

const productLabel = (p: ProductToBill) => `${p.name} (sku ${p.sku})`;

/**
 * The additions that may already bill `product`, each once under its strongest reason
 * (same_item, then engine_item, then similar_name): highest score first, then addition id.
 * `additions` are the agreement's additions the engine does not own; `engineItems` the catalog
 * item ids the engine made or uses for any sku (isEngineXRef).
 */
export function findCandidates(
  additions: readonly ForeignAddition[],
  product: ProductToBill,
  engineItems: ReadonlySet<number>,
): Candidate[] {
  const found: Candidate[] = [];
  for (const addition of additions) {
    const item = itemLabel(addition);
    if (addition.productId === product.productId) {
      found.push({
        additionId: addition.id,
        why: 'same_item',
        score: 1,
        detail: `addition ${addition.id} bills ${item}, the item ${productLabel(product)} is billed as`,
      });
      continue;
    }
    if (engineItems.has(addition.productId)) {
      found.push({
        additionId: addition.id,
        why: 'engine_item',
        score: 1,
        detail: `addition ${addition.id} is not the engine's but bills ${item}, which the engine made or bills vendor products as`,
      });
      continue;
    }
    const score = productResemblance(
      { identifier: addition.productIdentifier, description: addition.description },
      product,
    );
    if (score >= CANDIDATE_MIN_SCORE) {
      found.push({
        additionId: addition.id,
        why: 'similar_name',
        score: round2(score),
        detail: `${item} resembles ${productLabel(product)}, score ${round2(score).toFixed(2)}`,
      });
    }
  }
  return found.sort((x, y) => y.score - x.score || x.additionId - y.additionId);
}

/** An active catalog item, as the product mapping screen reads them. */
export interface CatalogEntry {
  id: number;
  identifier: string;
  description: string;
}

export interface CatalogSuggestion {
  catalogItemId: number;
  identifier: string;
  description: string;
  /** productResemblance, two decimals. */
  score: number;
}

/**
 * Indexes the catalog once and returns a function giving, for one product, the items that
 * resemble it (productResemblance >= minScore, default CANDIDATE_MIN_SCORE): highest score first,
 * then identifier, then id, at most `limit` (default 3). The scores are productResemblance's,
 * found through the bigram index instead of every pair, so thousands of items stay fast.
 */
export function createCatalogSuggester(
  items: readonly CatalogEntry[],
  options: { limit?: number; minScore?: number } = {},
): (product: { sku: string; name: string }) => CatalogSuggestion[] {
  const limit = options.limit ?? 3;
  const minScore = options.minScore ?? CANDIDATE_MIN_SCORE;
  // Every comparable text of every item, and which item it belongs to.
  const owners: number[] = [];
  const texts: string[] = [];
  items.forEach((item, i) => {
    for (const text of comparable(item.identifier, item.description)) {
      owners.push(i);
      texts.push(text);
    }
  });
  const lookUp = createNameIndex(texts);

  return (product) => {
    const best = new Map<number, number>();
    for (const text of comparable(product.sku, product.name)) {
      for (const { index, score } of lookUp(text, minScore)) {
        const owner = owners[index]!;
        best.set(owner, Math.max(best.get(owner) ?? 0, score));
      }
    }
    return [...best]
      .map(([i, score]) => ({ item: items[i]!, score: round2(score) }))
      .sort(
        (x, y) =>
          y.score - x.score ||
          (x.item.identifier < y.item.identifier
            ? -1
            : x.item.identifier > y.item.identifier
              ? 1
              : 0) ||
          x.item.id - y.item.id,
      )
      .slice(0, limit)
      .map(({ item, score }) => ({
        catalogItemId: item.id,
        identifier: item.identifier,
        description: item.description,
        score,
      }));
  };
}
