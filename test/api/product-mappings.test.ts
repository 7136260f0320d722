import request from 'supertest';
import { CANDIDATE_MIN_SCORE } from '../../domain/billing/candidates';
import { eventually } from '../support/wait';
import { as, cwBase, fieldsOf, messageFor, useSetupStack } from './setup-helpers';

const stack = useSetupStack('product-mappings');

const products = [
  { sku: 'browser', name: 'Browser Security', price: 4, cost: 2 },
  { sku: 'dns', name: 'Secure DNS', price: 2.5, cost: 1 },
  { sku: 'dlp', name: 'Data Loss Prevention', price: 3, cost: 1.5 },
];

const call = (
  method: 'get' | 'put',
  body?: unknown,
  token = stack.engine.tokens.p1,
  partnerId = 'p1',
) => {
  const app = request(stack.engine.app);
  const target = `${cwBase(partnerId)}/product-mappings`;
  const req = (method === 'get' ? app.get(target) : app.put(target)).set(as(token));
  return body === undefined ? req : req.send(body as object);
};

const repo = () => stack.engine.db.repos.productMappings;
const stored = async () =>
  (await repo().list('p1', stack.integrationId)).map(({ sku, catalogItemId, source }) => ({
    sku,
    catalogItemId,
    source,
  }));

async function catalogReads() {
  return (await stack.fx.sim.admin.journal.list()).filter(
    (e) => e.template === '/procurement/catalog',
  );
}

const pushProducts = async (
  rows: Array<{ sku: string; name: string; price: number; cost: number }>,
) => {
  const res = await request(stack.engine.app)
    .put('/v1/partners/p1/products')
    .set(as(stack.engine.tokens.p1))
    .send({ products: rows });
  if (res.status !== 200) throw new Error(`push products: ${res.status}`);
};

beforeAll(() => pushProducts(products));
beforeEach(async () => {
  await repo().clear('p1', stack.integrationId);
  await stack.fx.sim.admin.journal.clear();
});

const browserItem = {
  id: 1350,
  identifier: 'DFX-BROWSER-SEC',
  description: 'DefensX Browser Security',
  inactive: false,
};

// What the suggestions read: every active item, once, only the fields they need.
const ACTIVE_CATALOG = 'inactiveFlag=false';
const browserSuggestion = {
  catalogItemId: 1350,
  identifier: 'DFX-BROWSER-SEC',
  description: 'DefensX Browser Security',
  score: 0.8,
};
const dnsSuggestion = {
  catalogItemId: 1351,
  identifier: 'DFX-SECURE-DNS',
  description: 'DefensX Secure DNS',
  score: 0.84,
};

describe('GET', () => {
  test('every vendor product, unmapped until chosen, with suggestions from one read of the active catalog', async () => {
    const res = await call('get');
    expect(res.status).toBe(200);
    const suggestions: Record<string, unknown[]> = {
      browser: [browserSuggestion],
      dns: [dnsSuggestion],
      // Nothing in the catalog looks like it (Microsoft 365 Business Premium, Legacy Antivirus…).
      dlp: [],
    };
    expect(res.body).toEqual({
      mappings: [...products]
        .sort((a, b) => a.sku.localeCompare(b.sku))
        .map((p) => ({
          sku: p.sku,
          name: p.name,
          catalogItemId: null,
          source: null,
          updatedAt: null,
          catalogItem: null,
          suggestions: suggestions[p.sku],
        })),
      suggestionsUnavailable: null,
      nextCursor: null,
    });
    const reads = await catalogReads();
    expect(reads.map((r) => r.query)).toEqual([
      expect.objectContaining({
        conditions: ACTIVE_CATALOG,
        fields: 'id,identifier,description,inactiveFlag',
        pageSize: '1000',
      }),
    ]);
    // Suggestions are never applied by themselves.
    expect(await stored()).toEqual([]);
  });

  test("the engine's mappings too, each item as ConnectWise has it now (null when gone)", async () => {
    await repo().save('p1', stack.integrationId, [
      { sku: 'browser', catalogItemId: 1350, source: 'engine' },
      { sku: 'dns', catalogItemId: 999_999, source: 'engine' },
    ]);
    const res = await call('get');
    const bySku = new Map(res.body.mappings.map((m: { sku: string }) => [m.sku, m]));
    expect(bySku.get('browser')).toEqual({
      sku: 'browser',
      name: 'Browser Security',
      catalogItemId: 1350,
      source: 'engine',
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      catalogItem: browserItem,
      // The item it is mapped to is not suggested again.
      suggestions: [],
    });
    expect(bySku.get('dns')).toMatchObject({
      catalogItemId: 999_999,
      catalogItem: null,
      suggestions: [dnsSuggestion],
    });
    expect(bySku.get('dlp')).toMatchObject({ catalogItemId: null, source: null });
    const reads = await catalogReads();
    expect(reads.map((r) => r.query.conditions).sort()).toEqual([
      'id in (1350,999999)',
      ACTIVE_CATALOG,
    ]);

    // A page at a time, by sku: each page with its own products' mappings and items only.
    await stack.fx.sim.admin.journal.clear();
    const first = await request(stack.engine.app)
      .get(`${cwBase('p1')}/product-mappings?pageSize=1`)
      .set(as(stack.engine.tokens.p1));
    expect(first.body.mappings).toEqual([
      expect.objectContaining({ sku: 'browser', catalogItemId: 1350 }),
    ]);
    const second = await request(stack.engine.app)
      .get(`${cwBase('p1')}/product-mappings`)
      .query({ pageSize: 2, cursor: first.body.nextCursor })
      .set(as(stack.engine.tokens.p1));
    expect(second.body.mappings.map((m: { sku: string }) => m.sku)).toEqual(['dlp', 'dns']);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect(second.body.mappings[1]).toMatchObject({ catalogItemId: 999_999, catalogItem: null });
    expect((await catalogReads()).map((r) => r.query.conditions).sort()).toEqual([
      'id in (1350)',
      'id in (999999)',
      ACTIVE_CATALOG,
      ACTIVE_CATALOG,
    ]);
  });

  test('a catalog item added in ConnectWise is suggested at the next read; an inactive one never', async () => {
    const item = (id: number, identifier: string, description: string, inactiveFlag: boolean) => ({
      id,
      identifier,
      description,
      customerDescription: description,
      inactiveFlag,
      subcategory: { id: 1 },
      type: { id: 1 },
      productClass: 'Service',
      price: 3,
      cost: 1.5,
    });
    await stack.fx.sim.admin.state.put(
      'catalog',
      item(1400, 'DLP-SEAT', 'Data Loss Prevention Seat', false),
    );
    await stack.fx.sim.admin.state.put(
      'catalog',
      item(1401, 'DLP-OLD', 'Data Loss Prevention', true),
    );
    const res = await call('get');
    const dlp = res.body.mappings.find((m: { sku: string }) => m.sku === 'dlp');
    expect(dlp.suggestions).toEqual([
      {
        catalogItemId: 1400,
        identifier: 'DLP-SEAT',
        description: 'Data Loss Prevention Seat',
        score: expect.any(Number),
      },
    ]);
    expect(dlp.suggestions[0].score).toBeGreaterThanOrEqual(CANDIDATE_MIN_SCORE);
  });

  test('ConnectWise failing to list the catalog leaves the suggestions out, and still answers', async () => {
    await stack.fx.sim.admin.faults.add({ kind: 'serverError', path: '/procurement/catalog' });
    const res = await call('get');
    expect(res.status).toBe(200);
    expect(res.body.suggestionsUnavailable).toBe(
      'ConnectWise answered with a server error; try again in a minute.',
    );
    expect(res.body.mappings).toHaveLength(products.length);
    for (const m of res.body.mappings) expect(m.suggestions).toEqual([]);

    await stack.fx.sim.admin.faults.clear();
    await stack.fx.sim.admin.faults.add({
      kind: 'rateLimit',
      path: '/procurement/catalog',
      retryAfterSeconds: 7,
    });
    const throttled = await call('get');
    expect(throttled.status).toBe(200);
    expect(throttled.body.suggestionsUnavailable).toBe(
      'ConnectWise asks us to slow down; try again in 7 seconds.',
    );
    // A Retry-After belongs to a failed answer, not this one.
    expect(throttled.headers['retry-after']).toBeUndefined();
  });

  test('a refused Product Catalog permission is named as the reason when nothing is mapped', async () => {
    await stack.fx.sim.admin.security.revoke('Procurement/ProductCatalog');
    const res = await call('get');
    expect(res.status).toBe(200);
    expect(res.body.suggestionsUnavailable).toMatch(/Procurement → Product Catalog/);
    expect(
      res.body.mappings.every((m: { suggestions: unknown[] }) => m.suggestions.length === 0),
    ).toBe(true);
  });
});

describe('PUT', () => {
  test("saves the partner's choices, read back with the items, and tells the lifecycle", async () => {
    const before = new Date().toISOString();
    const res = await call('put', {
      mappings: [
        { sku: 'browser', catalogItemId: 1350 },
        { sku: 'dns', catalogItemId: 1353 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      saved: 2,
      mappings: [
        { sku: 'browser', catalogItemId: 1350, catalogItem: browserItem },
        {
          sku: 'dns',
          catalogItemId: 1353,
          catalogItem: {
            id: 1353,
            identifier: 'M365-BP',
            description: 'Microsoft 365 Business Premium',
            inactive: false,
          },
        },
      ],
    });
    expect(await stored()).toEqual([
      { sku: 'browser', catalogItemId: 1350, source: 'partner' },
      { sku: 'dns', catalogItemId: 1353, source: 'partner' },
    ]);
    // One read of the chosen items, whatever their number.
    expect((await catalogReads()).map((r) => r.query.conditions)).toEqual(['id in (1350,1353)']);
    const got = await call('get');
    expect(got.body.mappings.find((m: { sku: string }) => m.sku === 'browser')).toMatchObject({
      source: 'partner',
      catalogItem: browserItem,
    });

    const told = await eventually('the lifecycle to record the save', async () => {
      const status = await request(stack.engine.app)
        .get(`${cwBase('p1')}/status`)
        .set(as(stack.engine.tokens.p1));
      const change = status.body.workflow?.lastSettingsChange as
        { what: string; changedAt: string } | null | undefined;
      return change && change.changedAt >= before ? change : undefined;
    });
    expect(told.what).toBe('product_mappings');
  });

  test('is idempotent; null gives a sku back to the engine, whoever mapped it', async () => {
    const body = { mappings: [{ sku: 'browser', catalogItemId: 1350 }] };
    expect((await call('put', body)).status).toBe(200);
    const first = await repo().list('p1', stack.integrationId);
    expect((await call('put', body)).status).toBe(200);
    expect(await repo().list('p1', stack.integrationId)).toEqual(first);
    const readsBefore = (await catalogReads()).length;

    await repo().save('p1', stack.integrationId, [
      { sku: 'dns', catalogItemId: 1351, source: 'engine' },
    ]);
    const res = await call('put', {
      mappings: [
        { sku: 'browser', catalogItemId: null },
        { sku: 'dns', catalogItemId: null },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.mappings).toEqual([
      { sku: 'browser', catalogItemId: null, catalogItem: null },
      { sku: 'dns', catalogItemId: null, catalogItem: null },
    ]);
    expect(await stored()).toEqual([]);
    // Nothing to look up in ConnectWise for removals.
    expect(await catalogReads()).toHaveLength(readsBefore);
  });

  test('refuses unknown products and missing or inactive items, naming each, and writes nothing', async () => {
    await call('put', { mappings: [{ sku: 'dlp', catalogItemId: 1351 }] });
    const res = await call('put', {
      mappings: [
        { sku: 'browser', catalogItemId: 1350 },
        { sku: 'ghost', catalogItemId: 1351 },
        { sku: 'dns', catalogItemId: 424_242 },
        { sku: 'dlp', catalogItemId: 1352 },
        { sku: 'nothing', catalogItemId: null },
      ],
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([
      'body.mappings.1.sku',
      'body.mappings.2.catalogItemId',
      'body.mappings.3.catalogItemId',
      'body.mappings.4.sku',
    ]);
    expect(messageFor(res.body, 'body.mappings.1.sku')).toBe(
      'unknown product ghost; push it with PUT /partners/p1/products first',
    );
    expect(messageFor(res.body, 'body.mappings.2.catalogItemId')).toBe(
      'ConnectWise has no catalog item 424242',
    );
    expect(messageFor(res.body, 'body.mappings.3.catalogItemId')).toBe(
      'catalog item "AV-LEGACY" (1352) is inactive',
    );
    expect(await stored()).toEqual([{ sku: 'dlp', catalogItemId: 1351, source: 'partner' }]);
  });

  test('400 names malformed fields', async () => {
    const bad = await call('put', {
      mappings: [
        { sku: 'browser', catalogItemId: '1350' },
        { sku: 'bad sku!', catalogItemId: 0 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual([
      'body.mappings.0.catalogItemId',
      'body.mappings.1.catalogItemId',
      'body.mappings.1.sku',
    ]);
    const twice = await call('put', {
      mappings: [
        { sku: 'browser', catalogItemId: 1350 },
        { sku: 'browser', catalogItemId: 1351 },
      ],
    });
    expect(fieldsOf(twice.body)).toEqual(['body.mappings.1']);
    expect(messageFor(twice.body, 'body.mappings.1')).toMatch(/duplicate sku browser/);
    expect(fieldsOf((await call('put', { mappings: [] })).body)).toEqual(['body.mappings']);
    expect(await catalogReads()).toEqual([]);
  });
});

describe('access and failures', () => {
  test('401 without a token, 404 for another partner or without an integration', async () => {
    const app = request(stack.engine.app);
    expect((await app.get(`${cwBase('p1')}/product-mappings`)).status).toBe(401);
    const body = { mappings: [{ sku: 'browser', catalogItemId: 1350 }] };
    expect((await call('get', undefined, stack.engine.tokens.p2)).status).toBe(404);
    expect((await call('put', body, stack.engine.tokens.p2)).status).toBe(404);
    const none = await call('get', undefined, stack.engine.tokens.p2, 'p2');
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe('ConnectWise integration not found');
  });

  test('a refused Product Catalog permission is a 502 naming it, and nothing is saved', async () => {
    await stack.fx.sim.admin.security.revoke('Procurement/ProductCatalog');
    const res = await call('put', { mappings: [{ sku: 'browser', catalogItemId: 1350 }] });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('connectwise_permission');
    expect(res.body.error.message).toMatch(/Procurement → Product Catalog/);
    expect(await stored()).toEqual([]);
  });

  test('both routes are in the OpenAPI document', async () => {
    const doc = await request(stack.engine.app).get('/v1/openapi.json');
    const item = doc.body.paths['/partners/{partnerId}/connectwise/product-mappings'];
    expect(Object.keys(item as object).sort()).toEqual(['get', 'put']);
  });
});

describe('many products', () => {
  test('mapped items are read in chunks of 100 ids, not one call each; the catalog once', async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({
      sku: `bulk-${String(i).padStart(3, '0')}`,
      name: `Bulk ${i}`,
      price: 1,
      cost: 0.5,
    }));
    await pushProducts(many);
    await repo().save(
      'p1',
      stack.integrationId,
      many.map((p, i) => ({ sku: p.sku, catalogItemId: 20_000 + i, source: 'engine' as const })),
    );
    const res = await call('get');
    expect(res.status).toBe(200);
    expect(res.body.mappings).toHaveLength(150 + products.length);
    // Two chunks of mapped ids, and one page of the active catalog for the suggestions.
    expect(await catalogReads()).toHaveLength(3);
  });
});
