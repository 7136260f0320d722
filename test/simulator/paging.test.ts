import LinkHeader from 'http-link-header';
import { qs, startDemo, type Cw } from './helpers';

interface Company {
  id: number;
  name?: string;
  identifier?: string;
  deletedFlag?: boolean;
  status?: { name?: string; id?: number };
}

function rels(link: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of link ? LinkHeader.parse(link).refs : []) out[l.rel] = l.uri;
  return out;
}

describe('paging', () => {
  let cw: Cw;
  let total: number;
  beforeAll(async () => {
    cw = await startDemo();
    await cw.sim.admin.seed.companies(1490);
    total = (await cw.get<{ count: number }>('/company/companies/count')).body.count;
  });
  afterAll(() => cw.sim.close());

  it('walks more than 1000 rows by following rel="next", keeping every parameter', async () => {
    expect(total).toBe(13 + 1490);
    const conditions = 'deletedFlag=false and name like "%e%"';
    const expected = (
      await cw.get<{ count: number }>(`/company/companies/count${qs({ conditions })}`)
    ).body.count;
    expect(expected).toBeGreaterThan(1000);
    let url: string | undefined =
      `${cw.base}/company/companies${qs({ conditions, orderBy: 'id asc', fields: 'id,name,deletedFlag', pageSize: 1000 })}`;
    const seen: Company[] = [];
    let pages = 0;
    while (url) {
      const res: Awaited<ReturnType<typeof cw.get<Company[]>>> = await cw.get<Company[]>(url);
      expect(res.status).toBe(200);
      seen.push(...res.body);
      pages += 1;
      const links = rels(res.headers.get('link'));
      if (links.next) {
        const next = new URL(links.next);
        expect(next.searchParams.get('conditions')).toBe(conditions);
        expect(next.searchParams.get('fields')).toBe('id,name,deletedFlag');
        expect(next.searchParams.get('orderBy')).toBe('id asc');
        expect(next.searchParams.get('pageSize')).toBe('1000');
        expect(links.last).toBeDefined();
      }
      url = links.next;
    }
    expect(pages).toBe(2);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen.map((c) => c.id)).size).toBe(expected);
    expect(
      seen.every(
        (c) => c.deletedFlag === false && Object.keys(c).sort().join() === 'deletedFlag,id,name',
      ),
    ).toBe(true);
    expect(seen.map((c) => c.id)).toEqual([...seen.map((c) => c.id)].sort((a, b) => a - b));
  });

  it('links first/prev/next/last around a middle page', async () => {
    const res = await cw.get<Company[]>(`/company/companies${qs({ pageSize: 100, page: 3 })}`);
    const links = rels(res.headers.get('link'));
    expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next', 'prev']);
    expect(new URL(links.first ?? '').searchParams.get('page')).toBe('1');
    expect(new URL(links.prev ?? '').searchParams.get('page')).toBe('2');
    expect(new URL(links.next ?? '').searchParams.get('page')).toBe('4');
    expect(new URL(links.last ?? '').searchParams.get('page')).toBe(String(Math.ceil(total / 100)));
    expect(res.body[0]?.id).toBe(250 + 200);
  });

  it('has no next on the last page and returns [] past it', async () => {
    const last = Math.ceil(total / 1000);
    const res = await cw.get<Company[]>(`/company/companies${qs({ pageSize: 1000, page: last })}`);
    expect(rels(res.headers.get('link')).next).toBeUndefined();
    expect(res.body).toHaveLength(total - 1000 * (last - 1));
    const past = await cw.get<Company[]>(
      `/company/companies${qs({ pageSize: 1000, page: last + 5 })}`,
    );
    expect(past.body).toEqual([]);
  });

  it('defaults to 25 rows and clamps pageSize above 1000 to 1000', async () => {
    expect((await cw.get<Company[]>('/company/companies')).body).toHaveLength(25);
    expect(
      (await cw.get<Company[]>(`/company/companies${qs({ pageSize: 5000 })}`)).body,
    ).toHaveLength(1000);
    const bad = await cw.get<{ code: string }>(`/company/companies${qs({ pageSize: 0 })}`);
    expect(bad.status).toBe(400);
    expect((await cw.get(`/company/companies${qs({ page: 0 })}`)).status).toBe(400);
  });

  it('pages forward-only with pageId and a single rel="next"', async () => {
    const ids: number[] = [];
    let url: string | undefined =
      `${cw.base}/company/companies${qs({ pageSize: 400, conditions: 'deletedFlag=false' })}`;
    let pages = 0;
    while (url) {
      const res: Awaited<ReturnType<typeof cw.get<Company[]>>> = await cw.get<Company[]>(url, {
        'pagination-type': 'forward-only',
      });
      ids.push(...res.body.map((c) => c.id));
      const links = rels(res.headers.get('link'));
      expect(Object.keys(links).every((r) => r === 'next')).toBe(true);
      if (links.next)
        expect(new URL(links.next).searchParams.get('pageId')).toBe(String(ids[ids.length - 1]));
      url = links.next;
      pages += 1;
    }
    const count = (
      await cw.get<{ count: number }>(
        `/company/companies/count${qs({ conditions: 'deletedFlag=false' })}`,
      )
    ).body.count;
    expect(ids).toHaveLength(count);
    expect(pages).toBe(Math.ceil(count / 400));
  });

  it('orders by nested fields both ways and projects nested fields', async () => {
    const asc = await cw.get<Company[]>(
      `/company/companies${qs({ orderBy: 'name asc, id desc', pageSize: 3, fields: 'id,status/name' })}`,
    );
    expect(asc.body.map((c) => c.id)).toEqual([253, 250, 252]);
    expect(asc.body[0]).toEqual({ id: 253, status: { name: 'Active' } });
    const desc = await cw.get<Company[]>(
      `/company/companies${qs({ orderBy: 'id desc', pageSize: 1 })}`,
    );
    expect(desc.body[0]?.id).toBe(250 + 12 + 1490);
    expect((await cw.get(`/company/companies${qs({ orderBy: 'nosuch asc' })}`)).status).toBe(400);
  });

  it('counts every collection of the excerpt, honouring conditions', async () => {
    const counts: [string, number][] = [
      ['/finance/agreements/count', 10],
      ['/finance/agreements/types/count', 4],
      ['/finance/agreements/300/additions/count', 3],
      ['/procurement/catalog/count', 4],
      ['/procurement/categories/count', 3],
      ['/procurement/subcategories/count', 4],
      ['/procurement/types/count', 4],
      ['/project/tickets/count', 2],
      ['/service/boards/count', 4],
      ['/service/boards/1/statuses/count', 6],
      ['/service/boards/1/types/count', 2],
      ['/service/priorities/count', 4],
      ['/service/sources/count', 4],
      ['/service/tickets/count', 3],
      ['/service/tickets/9002/notes/count', 1],
      ['/system/connectWiseHostedScreens/count', 4],
      ['/system/connectwisehostedsetups/count', 1],
    ];
    for (const [path, n] of counts) {
      const res = await cw.get<{ count: number }>(path);
      expect([path, res.status, res.body]).toEqual([path, 200, { count: n }]);
    }
    const open = await cw.get<{ count: number }>(
      `/service/boards/1/statuses/count${qs({ conditions: 'closedStatus=true' })}`,
    );
    expect(open.body.count).toBe(3);
  });
});
