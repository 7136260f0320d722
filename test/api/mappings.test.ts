import request from 'supertest';
import { as, cwBase, fieldsOf, messageFor, useSetupStack } from './setup-helpers';

const stack = useSetupStack('mappings', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex Incorporated' },
  { customerId: 'c-initech', name: 'Initech' },
  { customerId: 'c-wayne', name: 'Wayne Enterprises' },
  { customerId: 'c-zzyzx', name: 'Zzyzx Holdings' },
]);

const url = (partnerId = 'p1') => `${cwBase(partnerId)}/company-mappings`;
const list = (token = stack.engine.tokens.p1, partnerId = 'p1') =>
  request(stack.engine.app).get(url(partnerId)).set(as(token));
const save = (body: unknown, token = stack.engine.tokens.p1, partnerId = 'p1') =>
  request(stack.engine.app)
    .put(url(partnerId))
    .set(as(token))
    .send(body as object);

interface Row {
  customerId: string;
  status: string;
  companyId: number | null;
  companyName: string | null;
  company: { id: number; name: string } | null;
  suggestions: Array<{ companyId: number; name: string; score: number }>;
}
const byCustomer = (body: { mappings: Row[] }) =>
  new Map(body.mappings.map((m) => [m.customerId, m] as const));

async function companyQueries() {
  return (await stack.fx.sim.admin.journal.list()).filter(
    (e) => e.method === 'GET' && e.template === '/company/companies',
  );
}

describe('GET company-mappings', () => {
  test('lists every customer with suggestions from one paged read, never applied', async () => {
    await stack.fx.sim.admin.journal.clear();
    const res = await list();
    expect(res.status).toBe(200);
    const rows = byCustomer(res.body);
    expect([...rows.keys()].sort()).toEqual([
      'c-acme',
      'c-globex',
      'c-initech',
      'c-wayne',
      'c-zzyzx',
    ]);
    const acme = rows.get('c-acme')!;
    expect(acme).toMatchObject({ status: 'unmapped', companyId: null, company: null });
    expect(acme.suggestions.map((s) => s.companyId)).toEqual([250, 252, 251]);
    expect(acme.suggestions.every((s) => s.score === 1)).toBe(true);
    expect(rows.get('c-globex')!.suggestions[0]).toMatchObject({ companyId: 254 });
    expect(rows.get('c-zzyzx')!.suggestions).toEqual([]);
    for (const row of rows.values()) {
      expect(row.suggestions.length).toBeLessThanOrEqual(3);
      expect(row.suggestions.map((s) => s.companyId)).not.toContain(253);
    }
    const queries = await companyQueries();
    expect(queries).toHaveLength(1);
    expect(queries[0]!.query.conditions).toBe('deletedFlag=false');
    expect(await stack.engine.db.repos.companyMappings.list('p1', stack.integrationId)).toEqual([]);
  });
});

describe("GET company-mappings reads ConnectWise's companies at most once a minute", () => {
  test('a poll reuses the last read; Cache-Control: no-cache reads them now (a rename shows)', async () => {
    const fresh = () => list().set('cache-control', 'no-cache');
    /** The name the suggestion of company 254 for c-globex shows. */
    const shown = async (req: request.Test) => {
      const res = await req;
      expect(res.status).toBe(200);
      const rows = byCustomer(res.body as { mappings: Row[] });
      const suggestions = rows.get('c-globex')!.suggestions;
      return suggestions.find((x) => x.companyId === 254)?.name;
    };
    await stack.fx.sim.admin.journal.clear();
    expect(await shown(fresh())).toBe('Globex Inc');
    expect(await shown(list())).toBe('Globex Inc');
    expect(await companyQueries()).toHaveLength(1);

    const globex = (await stack.fx.sim.admin.state.companies()).find((c) => c.id === 254)!;
    await stack.fx.sim.admin.state.put('companies', { ...globex, name: 'Globex Renamed' });
    try {
      // A poll: the read of a moment ago, no ConnectWise call.
      expect(await shown(list())).toBe('Globex Inc');
      expect(await companyQueries()).toHaveLength(1);
      // Asked fresh: ConnectWise read now; the polls after reuse that read.
      expect(await shown(fresh())).toBe('Globex Renamed');
      expect(await shown(list())).toBe('Globex Renamed');
      expect(await companyQueries()).toHaveLength(2);
    } finally {
      await stack.fx.sim.admin.state.put('companies', globex);
      await fresh();
    }
  });
});

describe('GET company-mappings, a page at a time', () => {
  test('pages by customer id, each row with its own mapping; a bad cursor is a 400 naming it', async () => {
    const saved = await save({
      mappings: [
        { customerId: 'c-globex', companyId: 254 },
        { customerId: 'c-initech', companyId: null },
      ],
    });
    expect(saved.status).toBe(200);
    const pages: Row[][] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(stack.engine.app)
        .get(url())
        .query({ pageSize: 2, ...(cursor ? { cursor } : {}) })
        .set(as(stack.engine.tokens.p1));
      expect(res.status).toBe(200);
      pages.push(res.body.mappings);
      cursor = res.body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.map((r) => r.customerId))).toEqual([
      ['c-acme', 'c-globex'],
      ['c-initech', 'c-wayne'],
      ['c-zzyzx'],
    ]);
    const rows = new Map(pages.flat().map((r) => [r.customerId, r] as const));
    expect(rows.get('c-globex')).toMatchObject({ status: 'mapped', companyId: 254 });
    expect(rows.get('c-initech')).toMatchObject({ status: 'excluded', companyId: null });
    expect(rows.get('c-wayne')).toMatchObject({ status: 'unmapped' });
    // The whole set in one page by default.
    const whole = await list();
    expect(whole.body.mappings).toHaveLength(5);
    expect(whole.body.nextCursor).toBeNull();

    const bad = await request(stack.engine.app)
      .get(url())
      .query({ cursor: 'not a cursor', pageSize: 1001 })
      .set(as(stack.engine.tokens.p1));
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['query.cursor', 'query.pageSize']));
    // Leave the mappings as the other tests expect them.
    await stack.engine.db.repos.companyMappings.clear('p1', stack.integrationId);
  });
});

describe('PUT company-mappings', () => {
  test('saves, shows, and saving again changes nothing', async () => {
    const body = {
      mappings: [
        { customerId: 'c-acme', companyId: 250 },
        { customerId: 'c-globex', companyId: 254 },
        { customerId: 'c-wayne', companyId: null },
      ],
    };
    await stack.fx.sim.admin.journal.clear();
    const res = await save(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      saved: 3,
      mappings: [
        { customerId: 'c-acme', companyId: 250, companyName: 'Acme Corp' },
        { customerId: 'c-globex', companyId: 254, companyName: 'Globex Inc' },
        { customerId: 'c-wayne', companyId: null, companyName: null },
      ],
    });
    // Both companies were checked with one query.
    const queries = await companyQueries();
    expect(queries).toHaveLength(1);
    expect(queries[0]!.query.conditions).toBe('id in (250,254)');

    const again = await save(body);
    expect(again.body).toEqual(res.body);
    const stored = await stack.engine.db.repos.companyMappings.list('p1', stack.integrationId);
    expect(stored).toHaveLength(3);

    const rows = byCustomer((await list()).body);
    expect(rows.get('c-acme')).toMatchObject({
      status: 'mapped',
      companyId: 250,
      companyName: 'Acme Corp',
      company: { id: 250, identifier: 'AcmeCorp', name: 'Acme Corp' },
    });
    expect(rows.get('c-wayne')).toMatchObject({ status: 'excluded', companyId: null });
    expect(rows.get('c-initech')).toMatchObject({ status: 'unmapped', companyId: null });

    // Changing one mapping leaves the others.
    const moved = await save({ mappings: [{ customerId: 'c-acme', companyId: 251 }] });
    expect(moved.status).toBe(200);
    const after = byCustomer((await list()).body);
    expect(after.get('c-acme')).toMatchObject({ companyId: 251, companyName: 'ACME Corporation' });
    expect(after.get('c-globex')).toMatchObject({ companyId: 254 });
  });

  test('refuses unknown customers and missing or deleted companies, naming each, writing nothing', async () => {
    await save({ mappings: [{ customerId: 'c-initech', companyId: 255 }] });
    const res = await save({
      mappings: [
        { customerId: 'c-initech', companyId: 256 },
        { customerId: 'c-nobody', companyId: 250 },
        { customerId: 'c-globex', companyId: 999999 },
        { customerId: 'c-zzyzx', companyId: 253 },
      ],
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([
      'body.mappings.1.customerId',
      'body.mappings.2.companyId',
      'body.mappings.3.companyId',
    ]);
    expect(messageFor(res.body, 'body.mappings.1.customerId')).toMatch(/unknown customer c-nobody/);
    expect(messageFor(res.body, 'body.mappings.2.companyId')).toBe(
      'ConnectWise company 999999 does not exist',
    );
    expect(messageFor(res.body, 'body.mappings.3.companyId')).toBe(
      'ConnectWise company 253 is deleted',
    );
    const rows = byCustomer((await list()).body);
    expect(rows.get('c-initech')).toMatchObject({ companyId: 255 });
    expect(rows.get('c-zzyzx')).toMatchObject({ status: 'unmapped' });
  });

  test('400 names malformed fields', async () => {
    const empty = await save({});
    expect(empty.status).toBe(400);
    expect(fieldsOf(empty.body)).toEqual(['body.mappings']);
    const bad = await save({
      mappings: [
        { customerId: 'c-acme', companyId: '250' },
        { customerId: 'c-globex', companyId: 0 },
        { customerId: 'bad id!', companyId: 1.5 },
      ],
    });
    expect(fieldsOf(bad.body)).toEqual([
      'body.mappings.0.companyId',
      'body.mappings.1.companyId',
      'body.mappings.2.companyId',
      'body.mappings.2.customerId',
    ]);
    const twice = await save({
      mappings: [
        { customerId: 'c-acme', companyId: 250 },
        { customerId: 'c-acme', companyId: 251 },
      ],
    });
    expect(fieldsOf(twice.body)).toEqual(['body.mappings.1']);
    expect(messageFor(twice.body, 'body.mappings.1')).toMatch(/duplicate customerId c-acme/);
  });

  test('401 without a token, 404 for another partner or without an integration', async () => {
    expect((await request(stack.engine.app).get(url())).status).toBe(401);
    expect((await request(stack.engine.app).put(url()).send({})).status).toBe(401);
    expect((await list(stack.engine.tokens.p2)).status).toBe(404);
    const cross = await save(
      { mappings: [{ customerId: 'c-acme', companyId: null }] },
      stack.engine.tokens.p2,
    );
    expect(cross.status).toBe(404);
    expect((await list(stack.engine.tokens.p2, 'p2')).status).toBe(404);
  });

  test('both routes are in the OpenAPI document', async () => {
    const doc = await request(stack.engine.app).get('/v1/openapi.json');
    const item = doc.body.paths['/partners/{partnerId}/connectwise/company-mappings'];
    expect(Object.keys(item as object).sort()).toEqual(['get', 'put']);
  });
});
