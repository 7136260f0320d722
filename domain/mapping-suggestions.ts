/**
 * Suggestions for mapping a vendor customer to a ConnectWise company, by name. Pure: no I/O.
 * They are only ever shown to the partner; nothing here maps a customer by itself. The generic
 * parts (normalizeName, nameSimilarity, createNameIndex) also compare vendor products with catalog
 * items (domain/billing/candidates.ts).
 *
 * Similarity is the Sørensen–Dice coefficient over character bigrams of the normalized names.
 * Dice (rather than edit distance) ranks "Globex" close to "Globex Industries" and does not care
 * about word order. It is written here instead of imported: the Dice package most used on npm
 * (string-similarity) is no longer maintained by its author, the maintained one (dice-coefficient)
 * is ESM-only while this project is CommonJS, and the rest are small single-maintainer copies of
 * the same twenty lines. Indexing the companies' bigrams once keeps a screen with thousands of
 * customers and companies fast (createNameIndex).
 */

export interface CompanyCandidate {
  id: number;
  identifier: string;
  name: string;
  deletedFlag?: boolean | null;
}

export interface MappingSuggestion {
  companyId: number;
  identifier: string;
  name: string;
  /** 0..1, 1 when the normalized names are equal; two decimals. */
  score: number;
}

export interface SuggestOptions {
  /** At most this many suggestions per customer (default 3). */
  limit?: number;
  /** Below this score a company is not suggested (default 0.5). */
  minScore?: number;
}

/** Words that say what kind of legal entity a company is, not which company it is. */
const LEGAL_SUFFIXES = new Set([
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'ltd',
  'limited',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'plc',
  'pty',
  'bv',
  'sa',
  'sarl',
  'srl',
]);

/**
 * Lower-case, accents folded ("Müller" → "muller"), "&" read as "and", punctuation dropped: any
 * run of characters other than letters and digits separates words, so the parts of a sku-like
 * "DFX-BROWSER-SEC" or "dfx_browser_sec" become "dfx browser sec". For any kind of name (products
 * too); company names also lose their legal-form words (normalizeCompanyName).
 */
export function normalizeName(name: string): string {
  return words(name).join(' ');
}

function words(name: string): string[] {
  return (
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      // Dots and apostrophes join their letters ("L.L.C." → "llc", "O'Brien" → "obrien").
      .replace(/[.'’]/g, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w !== '')
  );
}

/**
 * normalizeName, and legal-form words removed. A name made only of such words keeps them, so it
 * still compares.
 */
export function normalizeCompanyName(name: string): string {
  const all = words(name);
  const kept = all.filter((w) => !LEGAL_SUFFIXES.has(w));
  return (kept.length > 0 ? kept : all).join(' ');
}

/** Bigram counts of a normalized name, spaces removed so word boundaries do not count. */
function bigrams(normalized: string): Map<string, number> {
  const text = normalized.replace(/ /g, '');
  const counts = new Map<string, number>();
  for (let i = 0; i < text.length - 1; i++) {
    const g = text.slice(i, i + 2);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** How a name is normalized before it is compared. */
export type NameNormalizer = (name: string) => string;

interface Profile {
  normalized: string;
  grams: Map<string, number>;
  size: number;
}

function profile(name: string, normalize: NameNormalizer): Profile {
  const normalized = normalize(name);
  const grams = bigrams(normalized);
  return { normalized, grams, size: total(grams) };
}

function dice(a: Profile, b: Profile, shared: number): number {
  if (a.normalized === b.normalized) return 1;
  if (a.size === 0 || b.size === 0) return 0;
  return (2 * shared) / (a.size + b.size);
}

/**
 * Similarity of two names, 0..1 and symmetric, after normalization (normalizeName unless told):
 * 1 when the normalized names are equal.
 */
export function nameSimilarity(
  a: string,
  b: string,
  normalize: NameNormalizer = normalizeName,
): number {
  const pa = profile(a, normalize);
  const pb = profile(b, normalize);
  let shared = 0;
  for (const [g, n] of pa.grams) shared += Math.min(n, pb.grams.get(g) ?? 0);
  return dice(pa, pb, shared);
}

/** Similarity of two company names, 0..1, after normalization. */
export function companyNameSimilarity(a: string, b: string): number {
  return nameSimilarity(a, b, normalizeCompanyName);
}

/** One indexed name that resembles the name looked up: its position in the list, its score. */
export interface NameMatch {
  index: number;
  /** nameSimilarity of the two names, not rounded. */
  score: number;
}

/**
 * Indexes the names' bigrams once and returns a look-up giving every indexed name whose
 * nameSimilarity to the one asked is at least minScore, in no particular order. Only names that
 * share a bigram with it, or are equal to it once normalized, are scored at all, so even with
 * minScore 0 unrelated names are left out. Thousands of names against thousands stay fast.
 */
export function createNameIndex(
  names: readonly string[],
  normalize: NameNormalizer = normalizeName,
): (name: string, minScore: number) => NameMatch[] {
  const profiles = names.map((n) => profile(n, normalize));
  const byNormalized = new Map<string, number[]>();
  const postings = new Map<string, Array<[index: number, count: number]>>();
  profiles.forEach((p, i) => {
    byNormalized.set(p.normalized, [...(byNormalized.get(p.normalized) ?? []), i]);
    for (const [g, n] of p.grams) {
      const list = postings.get(g) ?? [];
      list.push([i, n]);
      postings.set(g, list);
    }
  });

  return (name, minScore) => {
    const target = profile(name, normalize);
    const shared = new Map<number, number>();
    for (const [g, n] of target.grams) {
      for (const [i, m] of postings.get(g) ?? [])
        shared.set(i, (shared.get(i) ?? 0) + Math.min(n, m));
    }
    // Names with no bigram (one letter) can still match exactly.
    for (const i of byNormalized.get(target.normalized) ?? []) shared.set(i, shared.get(i) ?? 0);
    const found: NameMatch[] = [];
    for (const [index, s] of shared) {
      const score = dice(target, profiles[index]!, s);
      if (score >= minScore) found.push({ index, score });
    }
    return found;
  };
}

/** Scores as the API shows them: two decimals. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Indexes the companies once and returns a function giving the best matches for one customer
 * name: highest score first, then name, then id. Deleted companies are never suggested.
 */
export function createCompanySuggester(
  companies: readonly CompanyCandidate[],
  options: SuggestOptions = {},
): (customerName: string) => MappingSuggestion[] {
  const limit = options.limit ?? 3;
  const minScore = options.minScore ?? 0.5;
  const live = companies.filter((c) => c.deletedFlag !== true);
  const lookUp = createNameIndex(
    live.map((c) => c.name),
    normalizeCompanyName,
  );

  return (customerName) => {
    const scored = lookUp(customerName, minScore).map(({ index: i, score }) => ({ i, score }));
    // Among equal scores the company spelled exactly like the customer comes first; then a stable
    // order that does not depend on the server's locale.
    const spelled = customerName.trim().toLowerCase();
    const key = (i: number) => {
      const name = live[i]!.name.trim().toLowerCase();
      return [name === spelled ? 0 : 1, name, live[i]!.id] as const;
    };
    const compare = (x: { i: number; score: number }, y: { i: number; score: number }) => {
      if (x.score !== y.score) return y.score - x.score;
      const [ax, bx, cx] = key(x.i);
      const [ay, by, cy] = key(y.i);
      if (ax !== ay) return ax - ay;
      if (bx !== by) return bx < by ? -1 : 1;
      return cx - cy;
    };
    return scored
      .sort(compare)
      .slice(0, limit)
      .map(({ i, score }) => ({
        companyId: live[i]!.id,
        identifier: live[i]!.identifier,
        name: live[i]!.name,
        score: round2(score),
      }));
  };
}
