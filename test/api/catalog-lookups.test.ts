import request from 'supertest';
import { cwBase, fieldsOf, useSetupStack, cwCallsOf, getAs } from './setup-helpers';

const stack = useSetupStack('catalog-lookups');

const get = getAs(stack);

const cwCalls = (prefix: string) => cwCallsOf(stack, prefix);

describe('catalog defaults look-ups', () => {
  test('product categories: the active ones, by name (the inactive "Retired Products" left out)', async () => {
    const res = await get('/product-categories');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      categories: [
        { id: 2, name: 'Security Services', defaultFlag: true },
        { id: 1, name: 'Software', defaultFlag: false },
      ],
    });
  });

  test("a category's active subcategories, read with a condition on the category", async () => {
    await stack.fx.sim.admin.journal.clear();
    const res = await get('/product-categories/2/subcategories');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      subcategories: [
        { id: 1, name: 'Browser Security', defaultFlag: false },
        { id: 3, name: 'Endpoint', defaultFlag: false },
      ],
    });
    const reads = await cwCalls('/procurement/subcategories/');
    expect(reads.map((r) => r.query.conditions)).toEqual(['category/id=2']);
    expect((await get('/product-categories/1/subcategories')).body.subcategories).toEqual([
      { id: 2, name: 'Licensing', defaultFlag: false },
    ]);
  });

  test('subcategories of a category ConnectWise does not have: 404; a bad id: 400', async () => {
    const missing = await get('/product-categories/99/subcategories');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: 'connectwise_not_found',
      message: 'ConnectWise has no product category 99',
    });
    const bad = await get('/product-categories/x1/subcategories');
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['params.categoryId']);
  });

  test('product types: the active ones, by name', async () => {
    const res = await get('/product-types');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      types: [
        { id: 2, name: 'Non-Inventory', defaultFlag: false },
        { id: 1, name: 'Service', defaultFlag: true },
        { id: 3, name: 'Software', defaultFlag: false },
      ],
    });
  });
});

describe('access and failures', () => {
  const paths = ['/product-categories', '/product-categories/2/subcategories', '/product-types'];

  test.each(paths)(
    '%s: 401 without a token, 404 for another partner or without an integration',
    async (path) => {
      expect((await request(stack.engine.app).get(`${cwBase('p1')}${path}`)).status).toBe(401);
      expect((await get(path, stack.engine.tokens.p2, 'p1')).status).toBe(404);
      const none = await get(path, stack.engine.tokens.p2, 'p2');
      expect(none.status).toBe(404);
      expect(none.body.error.message).toBe('ConnectWise integration not found');
    },
  );

  test.each(paths)('%s: a refused Product Catalog permission is a 502 naming it', async (path) => {
    await stack.fx.sim.admin.security.revoke('Procurement/ProductCatalog');
    const res = await get(path);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('connectwise_permission');
    expect(res.body.error.message).toMatch(/Procurement → Product Catalog/);
  });

  test('ConnectWise throttling is a 503 with Retry-After', async () => {
    await stack.fx.sim.admin.faults.add({ kind: 'rateLimit', count: 1, retryAfterSeconds: 7 });
    const res = await get('/product-types');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
  });

  test('every catalog look-up is in the OpenAPI document', async () => {
    const doc = await request(stack.engine.app).get('/v1/openapi.json');
    const documented = Object.keys(doc.body.paths as object);
    for (const p of [
      'product-categories',
      'product-categories/{categoryId}/subcategories',
      'product-types',
    ])
      expect(documented).toContain(`/partners/{partnerId}/connectwise/${p}`);
  });
});
