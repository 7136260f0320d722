import { z } from 'zod';
import * as cw from '../../connectwise';
import { inContract, useSimulator } from './sim-support';

const ctx = useSimulator();

describe('paging against the simulator', () => {
  it('reads more than 1000 rows, resending every parameter on every page', async () => {
    await ctx.sim.admin.seed.companies(2500);
    const client = await ctx.client();
    const conditions = cw.cond.eq('deletedFlag', false);
    const expected = await client.count('/company/companies', { conditions });
    expect(expected).toBeGreaterThan(2000);
    await ctx.sim.admin.journal.clear();

    const all = await cw.listAllCompanies(client);
    expect(all).toHaveLength(expected);
    expect(new Set(all.map((c) => c.id)).size).toBe(expected);
    const ids = all.map((c) => c.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const pages = (await ctx.sim.admin.journal.list()).filter((e) =>
      e.path.endsWith('/company/companies'),
    );
    expect(pages).toHaveLength(Math.ceil(expected / 1000));
    pages.forEach((page, i) => {
      expect(page.status).toBe(200);
      expect(page.query).toEqual({
        conditions: 'deletedFlag=false',
        orderBy: 'id asc',
        fields: cw.fieldsOf(cw.companySchema).join(','),
        page: String(i + 1),
        pageSize: '1000',
      });
    });
  });

  it('stops on a short page and honours a smaller pageSize', async () => {
    const client = await ctx.client();
    const boards = await client.listAll('/service/boards', cw.boardSchema, { pageSize: 3 });
    expect(boards.map((b) => b.id)).toEqual([1, 2, 3, 4]);
    const pages = (await ctx.sim.admin.journal.list()).filter((e) =>
      e.path.endsWith('/service/boards'),
    );
    expect(pages.map((p) => p.query.page)).toEqual(['1', '2']);
  });

  it('refuses pageSize above 1000 without sending anything', async () => {
    const client = await ctx.client();
    await ctx.sim.admin.journal.clear();
    await expect(
      client.listPage('/company/companies', z.looseObject({}), { pageSize: 1001 }),
    ).rejects.toMatchObject({
      code: 'InvalidRequest',
      kind: 'validation',
    });
    expect(await ctx.sim.admin.journal.list()).toEqual([]);
  });
});

describe('the contract check used by these tests', () => {
  it('is case- and slash-exact', () => {
    expect(inContract({ method: 'GET', path: '/procurement/subcategories/' })).toBe(true);
    expect(inContract({ method: 'GET', path: '/procurement/subcategories' })).toBe(false);
    expect(inContract({ method: 'GET', path: '/system/connectWiseHostedScreens' })).toBe(true);
    expect(inContract({ method: 'GET', path: '/system/connectwisehostedscreens' })).toBe(false);
    expect(inContract({ method: 'PUT', path: '/finance/agreements/1/additions/2' })).toBe(true);
    expect(inContract({ method: 'PUT', path: '/service/tickets/2' })).toBe(false);
  });
});
