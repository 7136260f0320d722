import fc from 'fast-check';
import { adoptionConflict } from '../../domain/billing/approval';

/**
 * Adopting additions listed under more than one sku (found by the chaos suite after a database
 * restore: an addition resembling two products is a candidate of both). Each sku takes the first
 * of its candidates adopted, as the planner does; the decision is refused unless every adopted
 * addition bills exactly one sku.
 */
const candidate = (sku: string, additionId: number) => ({ action: 'candidate', sku, additionId });

// 5016 bills dlp and resembles dns; 5015 bills dns and resembles dlp (best match first).
const listed = [
  candidate('dlp', 5016),
  candidate('dlp', 5015),
  candidate('dns', 5015),
  candidate('dns', 5016),
];

test('each addition adopted for the sku it matches best: accepted', () => {
  expect(adoptionConflict(listed, new Set([5015, 5016]))).toBeUndefined();
});

test('one addition adopted that two skus would both take: refused, naming both', () => {
  expect(adoptionConflict(listed, new Set([5016]))).toBe('addition 5016 would bill dlp and dns');
});

test('two additions adopted for a sku with a single candidate: the second bills nothing, refused', () => {
  const one = [candidate('dlp', 1), candidate('dlp', 2)];
  expect(adoptionConflict(one, new Set([1, 2]))).toBe(
    'addition 2 would bill nothing: another is adopted for its sku',
  );
  expect(adoptionConflict(one, new Set([2]))).toBeUndefined();
});

test('property: an accepted decision gives every adopted addition exactly one sku, and no sku two', () => {
  const skus = ['a', 'b', 'c'];
  const listing = fc.uniqueArray(
    fc.record({ sku: fc.constantFrom(...skus), additionId: fc.integer({ min: 1, max: 5 }) }),
    { selector: (c) => `${c.sku}:${c.additionId}`, maxLength: 10 },
  );
  fc.assert(
    fc.property(listing, fc.uniqueArray(fc.integer({ min: 1, max: 5 })), (ops, ids) => {
      const operations = ops.map((o) => candidate(o.sku, o.additionId));
      const adopted = new Set(ids.filter((id) => ops.some((o) => o.additionId === id)));
      if (adoptionConflict(operations, adopted) !== undefined) return;
      // What the planner does with the decision: each sku its first adopted candidate.
      const billed = skus.flatMap((sku) => {
        const first = operations.find((o) => o.sku === sku && adopted.has(o.additionId));
        return first ? [first.additionId] : [];
      });
      expect(new Set(billed).size).toBe(billed.length);
      expect(new Set(billed)).toEqual(adopted);
    }),
  );
});
