import { startDemo, type Cw } from './helpers';

interface Agreement {
  id: number;
  name: string;
  oneTimeFlag: boolean;
  company: { id: number; name?: string };
  type: { id: number; name?: string };
}

/** The admin interface's record edits: what an MSP changes in ConnectWise's own screens. */
describe('admin state edits', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterAll(() => cw.sim.close());
  afterEach(() => cw.sim.admin.reset());

  it('replaces a record: the API serves the edited agreement', async () => {
    const agreement = (await cw.sim.admin.state.agreements()).find((a) => a.id === 303)!;
    expect(agreement.oneTimeFlag).toBe(false);
    await cw.sim.admin.state.put('agreements', { ...agreement, oneTimeFlag: true });
    const served = await cw.get<Agreement>('/finance/agreements/303');
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({ id: 303, oneTimeFlag: true, company: { id: 254 } });
  });

  it('a company renamed is renamed in the references to it, as ConnectWise serves them', async () => {
    const globex = (await cw.sim.admin.state.companies()).find((c) => c.id === 254)!;
    await cw.sim.admin.state.put('companies', { ...globex, name: 'Globex International' });
    const served = await cw.get<Agreement>('/finance/agreements/303');
    expect(served.body.company).toMatchObject({ id: 254, name: 'Globex International' });
    // Another company's agreement is untouched.
    const acme = await cw.get<Agreement>('/finance/agreements/300');
    expect(acme.body.company).toMatchObject({ id: 250 });
    expect(acme.body.company.name).not.toBe('Globex International');
  });

  it('inserts a record with its references resolved as the seed’s', async () => {
    const { firstId } = await cw.sim.admin.seed.companies(1);
    const template = (await cw.sim.admin.state.agreements()).find((a) => a.id === 300)!;
    await cw.sim.admin.state.put('agreements', {
      ...template,
      id: 5000,
      name: 'Generated - Managed Security',
      company: { id: firstId },
      type: { id: 1 },
    });
    const served = await cw.get<Agreement>('/finance/agreements/5000');
    expect(served.body).toMatchObject({
      id: 5000,
      company: { id: firstId, name: expect.stringMatching(/^Generated Company/) },
      type: { id: 1, name: 'Managed Services' },
    });
  });

  it('refuses a reference to nothing and an unknown collection, changing nothing', async () => {
    const template = (await cw.sim.admin.state.agreements()).find((a) => a.id === 300)!;
    await expect(
      cw.sim.admin.state.put('agreements', { ...template, id: 5001, company: { id: 999_999 } }),
    ).rejects.toThrow(/Company 999999 not found/);
    expect((await cw.get('/finance/agreements/5001')).status).toBe(404);
    const res = await fetch(`${cw.sim.origin}/__admin/state/nothing/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });
});
