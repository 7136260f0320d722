import { ROLE_LINES } from '../../simulator';
import { startDemo, type Cw } from './helpers';

interface MySecurity {
  moduleIdentifier: string;
  moduleFunctionIdentifier: string;
  moduleFunctionName: string;
  moduleName: string;
  addLevel: string;
  editLevel: string;
  deleteLevel: string;
  inquireLevel: string;
}

/** Per role line: requests that need it (method, path, body). */
const PROBES: Record<string, [string, string, unknown?][]> = {
  'Companies/CompanyMaintenance': [
    ['GET', '/company/companies'],
    ['GET', '/company/companies/count'],
    ['GET', '/company/companies/250'],
  ],
  'Finance/Agreements': [
    ['GET', '/finance/agreements/count'],
    ['GET', '/finance/agreements/types'],
    ['GET', '/finance/agreements/300/additions/count'],
    [
      'POST',
      '/finance/agreements/300/additions',
      { product: { id: 1351 }, billCustomer: 'Billable', quantity: 1 },
    ],
  ],
  'Procurement/ProductCatalog': [
    ['GET', '/procurement/catalog/count'],
    ['GET', '/procurement/categories'],
    ['GET', '/procurement/subcategories/'],
    ['GET', '/procurement/types'],
  ],
  'Procurement/Products': [],
  'Project/ProjectTicketDependencies': [],
  'Project/ProjectTickets': [['GET', '/project/tickets/count']],
  'ServiceDesk/CloseServiceTickets': [
    ['PATCH', '/service/tickets/9000', [{ op: 'replace', path: 'status', value: { id: 105 } }]],
  ],
  'ServiceDesk/ServiceTickets': [
    ['GET', '/service/tickets/count'],
    ['GET', '/service/tickets/9002/notes'],
    ['POST', '/service/tickets/9002/notes', { text: 'x', internalAnalysisFlag: true }],
  ],
  'System/TableSetup': [
    ['GET', '/service/boards'],
    ['GET', '/service/boards/1/statuses'],
    ['GET', '/service/sources'],
    ['GET', '/service/priorities'],
    ['GET', '/system/connectWiseHostedScreens'],
    ['GET', '/system/connectwisehostedsetups/count'],
  ],
};

describe('security roles', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterEach(() => cw.sim.admin.reset());
  afterAll(() => cw.sim.close());

  it('reports every required role line with the demo levels', async () => {
    const res = await cw.get<MySecurity[]>('/system/mySecurity?pageSize=100');
    expect(res.status).toBe(200);
    const keys = res.body.map((r) => `${r.moduleIdentifier}/${r.moduleFunctionIdentifier}`);
    expect(keys.sort()).toEqual(ROLE_LINES.map((l) => l.key).sort());
    const catalog = res.body.find((r) => r.moduleFunctionIdentifier === 'ProductCatalog');
    expect(catalog).toMatchObject({
      moduleName: 'Procurement',
      moduleFunctionName: 'Product Catalog',
      addLevel: 'All',
      deleteLevel: 'All',
    });
    const companies = res.body.find((r) => r.moduleFunctionIdentifier === 'CompanyMaintenance');
    expect(companies).toMatchObject({
      addLevel: 'None',
      editLevel: 'None',
      deleteLevel: 'None',
      inquireLevel: 'All',
    });
    const items = await cw.get<{ customizeIdentifier: string }[]>(
      '/system/mySecurity/customizeItems/',
    );
    expect(items.body.map((i) => i.customizeIdentifier)).toContain('SystemManageHostedApi');
  });

  it.each(Object.entries(PROBES))(
    'revoking %s → 403 on its endpoints, others unaffected',
    async (key, probes) => {
      for (const [method, path, body] of probes) {
        const ok = await cw.send(method, path, body);
        expect([key, method, path, ok.status < 300]).toEqual([key, method, path, true]);
        await cw.sim.admin.reset();
      }
      await cw.sim.admin.security.revoke(key);
      const rows = await cw.get<MySecurity[]>('/system/mySecurity?pageSize=100');
      const row = rows.body.find(
        (r) => `${r.moduleIdentifier}/${r.moduleFunctionIdentifier}` === key,
      );
      expect(row).toMatchObject({
        addLevel: 'None',
        editLevel: 'None',
        deleteLevel: 'None',
        inquireLevel: 'None',
      });
      for (const [method, path, body] of probes) {
        const res = await cw.send<{ code: string; message: string }>(method, path, body);
        expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, 'Security']);
        expect(res.body.message).toMatch(/^Improper security role settings/);
      }
      // Everything needing other lines still works, and so do /system/info and mySecurity.
      for (const [otherKey, otherProbes] of Object.entries(PROBES)) {
        if (otherKey === key || key === 'ServiceDesk/ServiceTickets') continue;
        const get = otherProbes.find(([m]) => m === 'GET');
        if (get) expect([get[1], (await cw.get(get[1])).status]).toEqual([get[1], 200]);
      }
      expect((await cw.get('/system/info')).status).toBe(200);
    },
  );

  it('enforces each level separately', async () => {
    await cw.sim.admin.security.setLevels('Finance/Agreements', { add: 'None' });
    const add = { product: { id: 1351 }, billCustomer: 'Billable', quantity: 1 };
    expect((await cw.send('POST', '/finance/agreements/300/additions', add)).status).toBe(403);
    expect((await cw.get('/finance/agreements/300/additions')).status).toBe(200);
    const patch = [{ op: 'replace', path: 'quantity', value: 2 }];
    expect((await cw.send('PATCH', '/finance/agreements/300/additions/5001', patch)).status).toBe(
      200,
    );
    await cw.sim.admin.security.setLevels('Finance/Agreements', { edit: 'None' });
    expect((await cw.send('PATCH', '/finance/agreements/300/additions/5001', patch)).status).toBe(
      403,
    );
    expect((await cw.send('PUT', '/finance/agreements/300/additions/5001', add)).status).toBe(403);
    // The demo role has Delete None on agreements, as the vendor guide asks.
    expect((await cw.send('DELETE', '/finance/agreements/300/additions/5001')).status).toBe(403);
    await cw.sim.admin.security.setLevels('Finance/Agreements', { delete: 'All' });
    expect((await cw.send('DELETE', '/finance/agreements/300/additions/5001')).status).toBe(204);
  });

  it('closing a ticket needs Close Service Tickets edit; other status changes do not', async () => {
    await cw.sim.admin.security.revoke('ServiceDesk/CloseServiceTickets');
    const inProgress = [{ op: 'replace', path: 'status', value: { id: 103 } }];
    expect((await cw.send('PATCH', '/service/tickets/9000', inProgress)).status).toBe(200);
    const close = [{ op: 'replace', path: 'status', value: { id: 105 } }];
    const res = await cw.send<{ code: string; message: string }>(
      'PATCH',
      '/service/tickets/9000',
      close,
    );
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/Close Service Tickets/);
    const stored = (await cw.sim.admin.state.tickets()).find((t) => t.id === 9000);
    expect(stored?.status.id).toBe(103);
  });

  it('hosted setups need the SystemManageHostedApi customization besides Table Setup', async () => {
    expect(await cw.sim.admin.security.revokeCustomizeItem('SystemManageHostedApi')).toBe(1);
    const res = await cw.get<{ code: string; message: string }>('/system/connectwisehostedsetups');
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/SystemManageHostedApi/);
    expect((await cw.get('/system/connectWiseHostedScreens')).status).toBe(200);
    expect((await cw.get('/service/boards')).status).toBe(200);
  });
});
