import request from 'supertest';
import { cond, conditionTextProblem } from '../../connectwise';
import { startApiOnly, type ApiOnly } from '../support/api-only';

/**
 * What a hostile or careless client sends. Every case here is refused before any ConnectWise or
 * Temporal call, so the app runs over the real database with a Temporal client that never
 * connects: an accepted request shows as a status other than 400 (404: p1 has no integration).
 */
let api: ApiOnly;
beforeAll(async () => {
  api = await startApiOnly('hostile');
});
afterAll(async () => {
  await api.close();
});

const auth = () => ({ Authorization: `Bearer ${api.tokens.p1}` });
const cwBase = '/v1/partners/p1/connectwise';

interface ErrorBody {
  error: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}
const fieldsOf = (body: unknown) => ((body as ErrorBody).error.fields ?? []).map((f) => f.field);

describe('a path that is not valid percent-encoding', () => {
  it.each([
    '/v1/partners/%ZZ/customers',
    '/v1/partners/p1/connectwise/boards/%E0%A4%A/statuses',
    '/v1/no-such-route/%',
  ])('%s answers 400 naming the segment, and logs no error', async (path) => {
    const res = await request(api.app).get(path).set(auth());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: 'invalid_path', fields: [{ field: 'path' }] },
    });
    expect((res.body as ErrorBody).error.message).toMatch(/not valid percent-encoding/);
    expect(api.logLines.filter((l) => /"level":50/.test(l))).toEqual([]);
  });
});

describe('the company search', () => {
  const values = [
    'acme',
    '50% off_[x]',
    'Müller & Söhne',
    'a\u2028b',
    'a\u2029b',
    'a\u0085b',
    'a\tb',
    'a\u0000b',
    'a\u007fb',
  ];

  it.each(values)(
    '%j: the route refuses exactly what the conditions builder refuses',
    async (search) => {
      const builderRefuses = (() => {
        try {
          cond.like('name', { contains: search });
          return false;
        } catch {
          return true;
        }
      })();
      expect(conditionTextProblem(search) !== undefined).toBe(builderRefuses);
      const res = await request(api.app).get(`${cwBase}/companies`).query({ search }).set(auth());
      if (builderRefuses) {
        expect(res.status).toBe(400);
        expect(fieldsOf(res.body)).toEqual(['query.search']);
      } else {
        expect(res.status).toBe(404);
      }
    },
  );
});

describe('ids and paging take decimal digits only', () => {
  const bad = ['0x10', '1e3', ' 1', '+1', '01', '1.0', '-1', '0', '', '99999999999999999999'];

  it.each(bad)('boardId %j is a 400 naming params.boardId', async (id) => {
    const res = await request(api.app)
      .get(`${cwBase}/boards/${encodeURIComponent(id)}/statuses`)
      .set(auth());
    // An empty segment matches no route at all.
    if (id === '') return expect(res.status).toBe(404);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['params.boardId']);
  });

  it.each(bad)('page, pageSize and limit %j are 400s naming the parameter', async (value) => {
    for (const [path, name] of [
      [`${cwBase}/companies`, 'page'],
      [`${cwBase}/companies`, 'pageSize'],
      [`${cwBase}/sync-runs`, 'limit'],
    ] as const) {
      const res = await request(api.app)
        .get(path)
        .query({ [name]: value })
        .set(auth());
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual([`query.${name}`]);
    }
  });

  it('plain decimal numbers pass', async () => {
    expect((await request(api.app).get(`${cwBase}/boards/16/statuses`).set(auth())).status).toBe(
      404,
    );
    const page = await request(api.app)
      .get(`${cwBase}/companies`)
      .query({ page: '10', pageSize: '100' })
      .set(auth());
    expect(page.status).toBe(404);
  });
});

describe('the Company ID', () => {
  const credentials = { site: 'na', publicKey: 'pub', privateKey: 'priv' };

  it.each(['.', '..', 'demo\ud800', 'a b', 'acme/..', 'a'.repeat(31), ''])(
    '%j is a 400 naming body.companyId',
    async (companyId) => {
      const res = await request(api.app)
        .post(`${cwBase}/test-connection`)
        .set(auth())
        .send({ ...credentials, companyId });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['body.companyId']);
    },
  );
});

describe('request bodies must be JSON', () => {
  const customers = JSON.stringify({ customers: [{ customerId: 'c1', name: 'Acme' }] });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'a body sent as %s is a 415 saying so',
    async (type) => {
      const res = await request(api.app)
        .put('/v1/partners/p1/customers')
        .set(auth())
        .set('Content-Type', type)
        .send(customers);
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
      expect((res.body as ErrorBody).error.message).toMatch(/Content-Type: application\/json/);
    },
  );

  it('a JSON body (with a charset) is accepted', async () => {
    const res = await request(api.app)
      .put('/v1/partners/p1/customers')
      .set(auth())
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(customers);
    expect(res.status).toBe(200);
  });

  it('a request without a body still works, whatever its content type', async () => {
    // validate takes no body; p1 has no integration, so it answers 404 (not 400 or 415).
    const bare = await request(api.app).post(`${cwBase}/integration/validate`).set(auth());
    expect(bare.status).toBe(404);
    const empty = await request(api.app)
      .post(`${cwBase}/integration/validate`)
      .set(auth())
      .set('Content-Type', 'text/plain')
      .send('');
    expect(empty.status).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  /** Every `pattern` in the document, with where it sits. */
  function patterns(node: unknown, at = '$'): Array<{ at: string; pattern: string }> {
    if (Array.isArray(node)) return node.flatMap((n, i) => patterns(n, `${at}[${i}]`));
    if (node === null || typeof node !== 'object') return [];
    return Object.entries(node).flatMap(([k, v]) =>
      k === 'pattern' && typeof v === 'string' ? [{ at, pattern: v }] : patterns(v, `${at}.${k}`),
    );
  }

  let document: unknown;
  beforeAll(async () => {
    document = (await request(api.app).get('/v1/openapi.json')).body;
  });

  it('has only patterns that compile without flags and with the u flag, meaning the same', () => {
    const found = patterns(document);
    expect(found.length).toBeGreaterThan(0);
    const samples = ['acme', 'a\u2028b', 'p1', 'a b', 'c', '{', 'ü', '-x', '\t'];
    for (const { at, pattern } of found) {
      const plain = new RegExp(pattern);
      const unicode = new RegExp(pattern, 'u');
      for (const s of samples) expect([at, s, plain.test(s)]).toEqual([at, s, unicode.test(s)]);
    }
  });

  /** Each string schema in a request body, with where it sits ($refs followed once). */
  function bodyStrings(): Array<{ at: string; schema: Record<string, unknown> }> {
    const doc = document as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
      components?: { schemas?: Record<string, unknown> };
    };
    const found: Array<{ at: string; schema: Record<string, unknown> }> = [];
    const walk = (node: unknown, at: string, seen: Set<string>): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`, seen));
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      const ref = schema.$ref;
      if (typeof ref === 'string' && !seen.has(ref)) {
        const name = ref.replace('#/components/schemas/', '');
        return walk(doc.components?.schemas?.[name], at, new Set([...seen, ref]));
      }
      if (schema.type === 'string') found.push({ at, schema });
      for (const [k, v] of Object.entries(schema)) walk(v, `${at}.${k}`, seen);
    };
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        walk(op.requestBody?.content['application/json']?.schema, `${method} ${path}`, new Set());
    return found;
  }

  // Opaque ids compared as sent: a blank one is schema-valid, and answered as unknown.
  const MATCHED_AS_SENT = ['.approvalId'];

  it('says which body strings must hold more than spaces (the API trims the others)', () => {
    const strings = bodyStrings();
    expect(strings.length).toBeGreaterThan(10);
    const unstated = strings.filter(({ at, schema }) => {
      if (MATCHED_AS_SENT.some((name) => at.endsWith(name))) return false;
      if (typeof schema.minLength !== 'number' || schema.minLength < 1) return false;
      if (schema.enum || schema.format) return false;
      return typeof schema.pattern !== 'string' || new RegExp(schema.pattern).test(' '.repeat(3));
    });
    expect(unstated.map((s) => s.at)).toEqual([]);
  });

  function param(path: string, name: string): { schema: Record<string, unknown> } {
    const doc = document as {
      paths: Record<string, { get: { parameters: Array<{ name: string }> } }>;
    };
    const found = doc.paths[path]?.get.parameters.find((p) => p.name === name);
    if (!found) throw new Error(`${path} has no parameter ${name}`);
    return found as unknown as { schema: Record<string, unknown> };
  }

  it('describes the search with the pattern the server enforces', async () => {
    const { schema } = param('/partners/{partnerId}/connectwise/companies', 'search');
    const pattern = new RegExp(schema.pattern as string);
    for (const search of ['acme', 'a\u2028b', 'a\u0085b', 'x\ny', '50%']) {
      const res = await request(api.app).get(`${cwBase}/companies`).query({ search }).set(auth());
      expect([search, pattern.test(search)]).toEqual([search, res.status !== 400]);
    }
  });

  it('describes partner ids with the pattern the server enforces', async () => {
    // A service token acts for any partner, so the id is validated rather than found foreign.
    const { schema } = param('/partners/{partnerId}/customers', 'partnerId');
    const pattern = new RegExp(schema.pattern as string);
    for (const id of ['p1', 'p 1', '-p1', 'p1:x', 'a'.repeat(129)]) {
      const res = await request(api.app)
        .get(`/v1/partners/${encodeURIComponent(id)}/customers`)
        .set({ Authorization: `Bearer ${api.tokens.service}` });
      expect([id, pattern.test(id)]).toEqual([id, res.status !== 400]);
    }
  });

  it('still calls ids and paging integers, with their bounds', () => {
    const cw = '/partners/{partnerId}/connectwise';
    expect(param(`${cw}/boards/{boardId}/statuses`, 'boardId').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 2_147_483_647,
    });
    expect(param(`${cw}/companies`, 'page').schema).toMatchObject({ type: 'integer', minimum: 1 });
    expect(param(`${cw}/companies`, 'pageSize').schema).toMatchObject({
      type: 'integer',
      maximum: 100,
    });
    expect(param(`${cw}/sync-runs`, 'limit').schema).toMatchObject({ type: 'integer' });
  });
});

describe('a method a path does not take', () => {
  it('is answered 405 with the methods it takes in Allow, before any auth or lookup', async () => {
    for (const method of ['patch', 'delete', 'trace'] as const) {
      const res = await request(api.app)[method](`${cwBase}/tickets`).set(auth());
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      if (method !== 'trace' && method !== 'delete')
        expect((res.body as ErrorBody).error.code).toBe('method_not_allowed');
    }
    const settings = await request(api.app).post(`${cwBase}/ticket-settings`);
    expect(settings.status).toBe(405);
    expect(settings.headers.allow?.split(', ').sort()).toEqual(['GET', 'HEAD', 'PUT']);
  });

  it('leaves a path the API does not have a 404, and HEAD of a GET route a GET', async () => {
    expect((await request(api.app).patch('/v1/partners/p1/nothing-here').set(auth())).status).toBe(
      404,
    );
    expect((await request(api.app).head(`${cwBase}/tickets`).set(auth())).status).toBe(404);
  });
});
