import fc from 'fast-check';
import { fitKey, keyDigest } from '../../domain/billing/key-digest';
import {
  CATALOG_IDENTIFIER_MAX,
  CATALOG_XREF_MAX,
  catalogIdentifier,
  catalogXRef,
} from '../../domain/billing/settings';
import { ENGINE_KEY } from '../../connectwise';

// What the vendor API accepts as a sku (api/v1/schemas.ts externalId).
const SKU = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const sku = fc.stringMatching(SKU);

test('FNV-1a 64 of ASCII text matches the published test vectors', () => {
  expect(keyDigest('')).toBe('cbf29ce484222325');
  expect(keyDigest('a')).toBe('af63dc4c8601ec8c');
  expect(keyDigest('foobar')).toBe('85944171f73967e8');
});

test('a short sku keeps a readable key: dfx:<sku> and the sku itself', () => {
  expect(catalogXRef('browser-security')).toBe('dfx:browser-security');
  expect(catalogIdentifier('DFX-BROWSER-SEC')).toBe('DFX-BROWSER-SEC');
});

test('keys fit ConnectWise limits and are engine keys for every sku', () => {
  fc.assert(
    fc.property(sku, (s) => {
      expect(catalogXRef(s).length).toBeLessThanOrEqual(CATALOG_XREF_MAX);
      expect(catalogIdentifier(s).length).toBeLessThanOrEqual(CATALOG_IDENTIFIER_MAX);
      expect(catalogXRef(s)).toMatch(ENGINE_KEY);
      expect(catalogIdentifier(s)).toMatch(ENGINE_KEY);
    }),
  );
});

test('skus that share their first 50 characters still get different xrefs and identifiers', () => {
  const stem = 'x'.repeat(70);
  const a = `${stem}-alpha`;
  const b = `${stem}-beta`;
  expect(catalogXRef(a)).not.toBe(catalogXRef(b));
  expect(catalogIdentifier(a)).not.toBe(catalogIdentifier(b));
  expect(catalogXRef(a).startsWith(`dfx:${'x'.repeat(20)}`)).toBe(true);
});

test('two different skus never share a key', () => {
  fc.assert(
    fc.property(sku, sku, (a, b) => {
      fc.pre(a !== b);
      expect(catalogXRef(a)).not.toBe(catalogXRef(b));
      expect(catalogIdentifier(a)).not.toBe(catalogIdentifier(b));
    }),
    { numRuns: 2000 },
  );
  // A sku of exactly the shortened form's length cannot pose as a shortened key: it has no space.
  const long = 'L'.repeat(61);
  const shortened = fitKey(long, 60);
  expect(shortened).toContain(' ');
  expect(SKU.test(shortened)).toBe(false);
});
