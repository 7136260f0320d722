import fc from 'fast-check';
import {
  CANDIDATE_MIN_SCORE,
  createCatalogSuggester,
  findCandidates,
  isEngineXRef,
  productResemblance,
  type ForeignAddition,
  type ProductToBill,
} from '../../domain/billing/candidates';
import { nameSimilarity, normalizeName } from '../../domain/mapping-suggestions';

// The demo tenant (simulator/fixtures/demo.json, dev/demo-partner.ts): ConnectWise holds item 1350
// DFX-BROWSER-SEC "DefensX Browser Security"; the vendor pushes sku DFX-BROWSER-SEAT.
const seat: ProductToBill = {
  sku: 'DFX-BROWSER-SEAT',
  name: 'DefensX Browser Seat',
  productId: 7001,
};
const demoSeat: ProductToBill = { ...seat, name: 'DefensX Browser Security' };

const addition = (
  id: number,
  productId: number,
  productIdentifier: string | null,
  description: string | null,
): ForeignAddition => ({
  id,
  productId,
  productIdentifier,
  description,
  quantity: 10,
  unitPrice: 4,
});

const browserSec = addition(41, 1350, 'DFX-BROWSER-SEC', 'DefensX Browser Security');
const m365 = addition(42, 1353, 'M365-BP', 'Microsoft 365 Business Premium');
const firewall = addition(43, 1360, 'FW-MANAGED', 'Managed Firewall');
const secureDns = addition(44, 1351, 'DFX-SECURE-DNS', 'DefensX Secure DNS');

describe('normalizeName', () => {
  test.each([
    ['DFX-BROWSER-SEC', 'dfx browser sec'],
    ['dfx_browser_sec', 'dfx browser sec'],
    ['DefensX Browser Security', 'defensx browser security'],
    // Legal-form words stay: they can mean something in a product's name.
    ['Backup Co-Managed SA', 'backup co managed sa'],
    ['Ünïcode & Co.', 'unicode and co'],
  ])('%s → %s', (name, expected) => {
    expect(normalizeName(name)).toBe(expected);
  });
});

describe('productResemblance', () => {
  test('the demo item resembles the sku, by identifier and by name', () => {
    const item = { identifier: 'DFX-BROWSER-SEC', description: 'DefensX Browser Security' };
    expect(productResemblance(item, seat)).toBeCloseTo(0.88, 2);
    expect(productResemblance(item, demoSeat)).toBe(1);
    expect(
      productResemblance({ identifier: null, description: 'DefensX Browser Security' }, seat),
    ).toBeCloseTo(0.79, 2);
  });

  test.each([
    ['M365-BP', 'Microsoft 365 Business Premium'],
    ['FW-MANAGED', 'Managed Firewall'],
    ['AV-LEGACY', 'Legacy Antivirus'],
    ['DFX-SECURE-DNS', 'DefensX Secure DNS'],
    ['DFX-DLP-SEAT', 'DefensX Data Loss Prevention'],
  ])('%s "%s" does not resemble the browser seat', (identifier, description) => {
    expect(productResemblance({ identifier, description }, seat)).toBeLessThan(CANDIDATE_MIN_SCORE);
    expect(productResemblance({ identifier, description }, demoSeat)).toBeLessThan(
      CANDIDATE_MIN_SCORE,
    );
  });

  test('nothing to compare scores 0, never a match of two empty names', () => {
    expect(productResemblance({ identifier: null, description: null }, seat)).toBe(0);
    expect(productResemblance({ identifier: '--', description: '' }, { sku: '_', name: '…' })).toBe(
      0,
    );
  });
});

describe('findCandidates', () => {
  test('the demo case: the hand-made browser addition is a candidate, unrelated ones are not', () => {
    const got = findCandidates([m365, firewall, browserSec, secureDns], seat, new Set());
    expect(got).toEqual([
      {
        additionId: 41,
        why: 'similar_name',
        score: 0.88,
        detail:
          'catalog item DFX-BROWSER-SEC ("DefensX Browser Security") resembles DefensX Browser Seat (sku DFX-BROWSER-SEAT), score 0.88',
      },
    ]);
    expect(findCandidates([m365, firewall, browserSec], demoSeat, new Set())).toMatchObject([
      { additionId: 41, why: 'similar_name', score: 1 },
    ]);
  });

  test('the same item, or an item of the engine, whatever its name; the strongest reason once', () => {
    const renamed = addition(50, 7001, 'OLD-NAME', 'Something else');
    const engines = addition(51, 1351, 'DFX-SECURE-DNS', 'DefensX Secure DNS');
    const both = addition(52, 1350, 'DFX-BROWSER-SEC', 'DefensX Browser Security');
    const got = findCandidates([both, engines, renamed, m365], seat, new Set([1351, 1350, 7001]));
    expect(got.map((c) => [c.additionId, c.why, c.score])).toEqual([
      [50, 'same_item', 1],
      [51, 'engine_item', 1],
      [52, 'engine_item', 1],
    ]);
    expect(got[0]!.detail).toBe(
      'addition 50 bills catalog item OLD-NAME ("Something else"), the item DefensX Browser Seat (sku DFX-BROWSER-SEAT) is billed as',
    );
  });

  test('highest score first, then addition id; an item without identifier is named by its id', () => {
    const bare = addition(30, 1400, null, 'DefensX Browser Seat');
    const got = findCandidates(
      [browserSec, bare, addition(29, 1401, 'DFX-BROWSER-SEAT', null)],
      seat,
      new Set(),
    );
    expect(got.map((c) => [c.additionId, c.score])).toEqual([
      [29, 1],
      [30, 1],
      [41, 0.88],
    ]);
    expect(got[1]!.detail).toBe(
      'catalog item 1400 ("DefensX Browser Seat") resembles DefensX Browser Seat (sku DFX-BROWSER-SEAT), score 1.00',
    );
    expect(got[0]!.detail).toMatch(/^catalog item DFX-BROWSER-SEAT resembles/);
  });

  test('no additions, no candidates', () => {
    expect(findCandidates([], seat, new Set([1]))).toEqual([]);
  });
});

describe('isEngineXRef', () => {
  test("the engine's dfx: prefix only", () => {
    expect(isEngineXRef('dfx:browser-security')).toBe(true);
    expect(isEngineXRef('DFX-BROWSER-SEC')).toBe(false);
    expect(isEngineXRef(null)).toBe(false);
    expect(isEngineXRef(undefined)).toBe(false);
  });
});

describe('createCatalogSuggester', () => {
  const catalog = [
    { id: 1350, identifier: 'DFX-BROWSER-SEC', description: 'DefensX Browser Security' },
    { id: 1351, identifier: 'DFX-SECURE-DNS', description: 'DefensX Secure DNS' },
    { id: 1353, identifier: 'M365-BP', description: 'Microsoft 365 Business Premium' },
    { id: 1360, identifier: 'FW-MANAGED', description: 'Managed Firewall' },
    { id: 1361, identifier: 'BROWSER-SEC-OLD', description: 'Browser Security (old)' },
  ];
  const suggest = createCatalogSuggester(catalog);

  test('the look-alikes, best first, at most 3, none below the threshold', () => {
    expect(suggest(seat)).toEqual([
      {
        catalogItemId: 1350,
        identifier: 'DFX-BROWSER-SEC',
        description: 'DefensX Browser Security',
        score: 0.88,
      },
      {
        catalogItemId: 1361,
        identifier: 'BROWSER-SEC-OLD',
        description: 'Browser Security (old)',
        score: 0.64,
      },
    ]);
    expect(suggest({ sku: 'dns', name: 'Secure DNS' }).map((s) => s.catalogItemId)).toEqual([1351]);
    expect(suggest({ sku: 'edr', name: 'Endpoint Detection' })).toEqual([]);
    expect(createCatalogSuggester([])(seat)).toEqual([]);
    const many = createCatalogSuggester(
      Array.from({ length: 5 }, (_, i) => ({
        id: 90 + i,
        identifier: `X${i}`,
        description: seat.name,
      })),
    );
    expect(many(seat).map((s) => s.catalogItemId)).toEqual([90, 91, 92]);
  });
});

// Texts with a letter or digit, sku-like or free.
const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const text = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
  fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join('-').toUpperCase()),
  fc.string({ maxLength: 20 }),
);
const maybe = fc.option(text, { nil: null });
const product = fc.record({ sku: text, name: text, productId: fc.integer({ min: 1, max: 50 }) });
const foreign = fc.record({
  id: fc.integer({ min: 1, max: 1000 }),
  productId: fc.integer({ min: 1, max: 50 }),
  productIdentifier: maybe,
  description: maybe,
  quantity: fc.integer({ min: 0, max: 100 }),
  unitPrice: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
});
const additions = fc.uniqueArray(foreign, { selector: (a) => a.id, maxLength: 8 });
const engineItems = fc
  .uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 5 })
  .map((l) => new Set(l));

describe('properties', () => {
  test('scores are in [0, 1] and symmetric', () => {
    fc.assert(
      fc.property(text, text, maybe, maybe, (a, b, c, d) => {
        const s = nameSimilarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(nameSimilarity(b, a)).toBe(s);
        const r = productResemblance({ identifier: c, description: d }, { sku: a, name: b });
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
        if (c !== null && d !== null) {
          // Which side is the item and which the product does not matter.
          expect(productResemblance({ identifier: a, description: b }, { sku: c, name: d })).toBe(
            r,
          );
        }
      }),
    );
  });

  test('an addition of the same item is always found, as same_item with score 1', () => {
    fc.assert(
      fc.property(additions, product, engineItems, foreign, (rest, p, engine, same) => {
        const mine = { ...same, id: 5000, productId: p.productId };
        const got = findCandidates([...rest, mine], p, engine);
        expect(got).toContainEqual(
          expect.objectContaining({ additionId: 5000, why: 'same_item', score: 1 }),
        );
      }),
    );
  });

  test('an addition named exactly like the product is always a candidate', () => {
    fc.assert(
      fc.property(additions, product, engineItems, fc.boolean(), (rest, p, engine, bySku) => {
        fc.pre(normalizeName(bySku ? p.sku : p.name) !== '');
        const named = addition(5000, 999, bySku ? p.sku : null, bySku ? null : p.name);
        const got = findCandidates([...rest, named], p, engine);
        expect(got).toContainEqual(expect.objectContaining({ additionId: 5000, score: 1 }));
      }),
    );
  });

  test('each addition once, sorted, similar names never below the threshold', () => {
    fc.assert(
      fc.property(additions, product, engineItems, (list, p, engine) => {
        const got = findCandidates(list, p, engine);
        expect(new Set(got.map((c) => c.additionId)).size).toBe(got.length);
        for (let i = 1; i < got.length; i++) {
          const [x, y] = [got[i - 1]!, got[i]!];
          expect(x.score > y.score || (x.score === y.score && x.additionId < y.additionId)).toBe(
            true,
          );
        }
        for (const c of got) {
          const a = list.find((x) => x.id === c.additionId)!;
          if (c.why === 'same_item') expect(a.productId).toBe(p.productId);
          if (c.why === 'engine_item') expect(engine.has(a.productId)).toBe(true);
          if (c.why === 'similar_name') {
            expect(
              productResemblance(
                { identifier: a.productIdentifier, description: a.description },
                p,
              ),
            ).toBeGreaterThanOrEqual(CANDIDATE_MIN_SCORE);
          }
        }
        // Nothing that qualifies is left out.
        for (const a of list) {
          const qualifies =
            a.productId === p.productId ||
            engine.has(a.productId) ||
            productResemblance(
              { identifier: a.productIdentifier, description: a.description },
              p,
            ) >= CANDIDATE_MIN_SCORE;
          expect(got.some((c) => c.additionId === a.id)).toBe(qualifies);
        }
      }),
    );
  });

  test('the catalog suggester agrees with productResemblance', () => {
    const item = fc.record({
      id: fc.integer({ min: 1, max: 10_000 }),
      identifier: text,
      description: text,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 12 }),
        product,
        (items, p) => {
          const got = createCatalogSuggester(items, { limit: 100, minScore: 0.3 })(p);
          const expected = items
            .map((i) => ({ id: i.id, score: productResemblance(i, p) }))
            .filter((x) => x.score >= 0.3);
          expect(got.map((s) => s.catalogItemId).sort((a, b) => a - b)).toEqual(
            expected.map((x) => x.id).sort((a, b) => a - b),
          );
          for (const s of got) {
            const want = expected.find((x) => x.id === s.catalogItemId)!.score;
            expect(s.score).toBe(Math.round(want * 100) / 100);
          }
        },
      ),
    );
  });
});
