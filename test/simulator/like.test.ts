import { like } from '../../simulator/like';
import { qs, startDemo, type Cw } from './helpers';

const HOSTILE = `O'Brien & Sons "Plumbing" 50% off\\`;

describe('like is SQL Server LIKE', () => {
  it.each([
    ['abc', 'a%', true],
    ['abc', '%', true],
    ['', '%', true],
    ['abc', 'a_c', true],
    ['ac', 'a_c', false],
    ['abbc', 'a_c', false],
    ['a_c', 'a[_]c', true],
    ['abc', 'a[_]c', false],
    ['50% off', '50[%] off', true],
    ['500 off', '50[%] off', false],
    ['a[b', 'a[[]b', true],
    ['a]b', 'a]b', true],
    ['b', '[abc]', true],
    ['d', '[abc]', false],
    ['m', '[a-z]', true],
    ['M', '[a-z]', true],
    ['5', '[a-z]', false],
    ['5', '[^a-z]', true],
    ['m', '[^a-z]', false],
    ['-', '[a-]', true],
    ['x', '[z-a]', false],
    ['x', '[]', false],
    ['x', '[^]', true],
    ['a[', 'a[', false],
    ['ACME Corp', 'acme%', true],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['a(b)+c$', 'a(b)+c$', true],
    ['a\\b', 'a\\b', true],
    ['日本', '__', true],
    ['x😀y', 'x_y', true],
    ['line1\nline2', 'line1_line2', true],
  ])('%j like %j → %s', (value, pattern, expected) => {
    expect(like(value, pattern)).toBe(expected);
  });
});

describe('like over HTTP', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterAll(() => cw.sim.close());

  const ids = async (conditions: string) => {
    const res = await cw.get<{ id: number }[]>(`/company/companies${qs({ conditions })}`);
    expect(res.status).toBe(200);
    return res.body.map((c) => c.id);
  };

  it('finds company 260 with the wildcard escaped as [%], and only it', async () => {
    const named = await cw.get<{ name: string }>('/company/companies/260');
    expect(named.body.name).toBe(HOSTILE);
    expect(await ids('name like "%50[%] off%"')).toEqual([260]);
    expect(await ids('name like "%5[_]%"')).toEqual([]);
  });

  it('_ is one character and [set] a class, case-insensitively', async () => {
    expect((await ids('name like "acme corp_"')).sort()).toEqual([252]);
    expect((await ids('name like "[a]cme corp"')).sort()).toEqual([250, 253]);
    expect(await ids('name like "[^a]cme corp"')).toEqual([]);
  });
});
