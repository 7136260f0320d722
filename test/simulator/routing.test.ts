import { client, qs, startDemo, type Cw } from './helpers';

interface CwErr {
  code: string;
  message: string;
}

describe('paths, filters and Link headers', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterAll(() => cw.sim.close());

  describe('paths match the contract case-sensitively', () => {
    it.each([
      ['GET', '/SERVICE/TICKETS'],
      ['GET', '/service/Tickets/9000'],
      ['GET', '/system/connectwiseHostedScreens'],
      ['GET', '/system/ConnectWiseHostedSetups'],
      ['GET', '/Company/companies/count'],
    ])('%s %s → 404', async (method, path) => {
      const res = await cw.send<CwErr>(method, path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NotFound');
    });

    it('a mis-cased POST is 404, not created', async () => {
      const res = await cw.send<CwErr>('POST', '/Service/Tickets', {
        summary: 'x',
        board: { id: 2 },
        company: { id: 250 },
      });
      expect(res.status).toBe(404);
      expect((await cw.sim.admin.state.tickets()).length).toBe(3);
    });

    it('the contract’s own spellings work, and the codebase prefix takes any case', async () => {
      expect((await cw.get('/system/connectWiseHostedScreens')).status).toBe(200);
      expect((await cw.get('/system/connectwisehostedsetups')).status).toBe(200);
      expect((await cw.get('/procurement/subcategories/')).status).toBe(200);
      expect((await client(cw.sim, 'V2025_1/').get('/service/tickets/9000')).status).toBe(200);
    });
  });

  describe('childConditions and customFieldConditions', () => {
    const ids = async (params: Record<string, string>) => {
      const res = await cw.get<{ id: number }[]>(`/company/companies${qs(params)}`);
      expect(res.status).toBe(200);
      return res.body.map((c) => c.id);
    };

    it('childConditions filters, together with conditions, on lists and /count', async () => {
      expect(await ids({ childConditions: 'types/id=2' })).toEqual([262]);
      expect(await ids({ conditions: 'id < 252', childConditions: 'types/name="Client"' })).toEqual(
        [250, 251],
      );
      const count = await cw.get<{ count: number }>(
        `/company/companies/count${qs({ childConditions: 'types/id=2' })}`,
      );
      expect(count.body.count).toBe(1);
    });

    it('customFieldConditions needs a matching custom field; the demo records have none', async () => {
      expect(await ids({ customFieldConditions: 'caption="Seats" and value=5' })).toEqual([]);
    });

    it.each([
      ['childConditions', 'types/id ='],
      ['childConditions', 'nosuchfield = 1'],
      ['customFieldConditions', 'caption = "x'],
      ['customFieldConditions', 'name = "x"'],
    ])('%s=%j → 400 naming the parameter', async (name, value) => {
      const res = await cw.get<CwErr>(`/company/companies${qs({ [name]: value })}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BadRequest');
      expect(res.body.message).toContain(name);
    });
  });

  it('writes Link rels quoted, as CW does', async () => {
    const res = await cw.get(`/company/companies${qs({ pageSize: 5, page: 2 })}`);
    const link = res.headers.get('link') ?? '';
    expect(link.split(', ').map((l) => /; rel="(\w+)"$/.exec(l)?.[1])).toEqual([
      'first',
      'prev',
      'next',
      'last',
    ]);
    expect(link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/v2025_1\/apis\/3\.0\/company\/companies\?/);
  });
});
