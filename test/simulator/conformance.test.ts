import { loadDemoSeed } from '../../simulator';
import { operations } from '../../simulator/openapi';
import { routeTable } from '../../simulator/routes';
import { startSimulatorServer } from '../../simulator/server';
import { client, type Cw } from './helpers';

/** Sample path parameters per template, so every GET of the excerpt can be driven. */
const SAMPLE: Record<string, Record<string, number>> = {
  '/company/companies/{id}': { id: 250 },
  '/finance/agreements/{id}': { id: 300 },
  '/finance/agreements/{parentId}/additions': { parentId: 300 },
  '/finance/agreements/{parentId}/additions/{id}': { parentId: 300, id: 5001 },
  '/finance/agreements/{parentId}/additions/count': { parentId: 300 },
  '/procurement/catalog/{id}': { id: 1350 },
  '/service/boards/{id}': { id: 1 },
  '/service/boards/{parentId}/statuses': { parentId: 1 },
  '/service/boards/{parentId}/statuses/count': { parentId: 1 },
  '/service/boards/{parentId}/types': { parentId: 1 },
  '/service/boards/{parentId}/types/count': { parentId: 1 },
  '/service/tickets/{id}': { id: 9001 },
  '/service/tickets/{parentId}/notes': { parentId: 9002 },
  '/service/tickets/{parentId}/notes/count': { parentId: 9002 },
  '/system/connectwisehostedsetups/{id}': { id: 1 },
  '/system/callbacks/{id}': { id: 1 },
};

function fill(template: string, params: Record<string, number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => String(params[name]));
}

describe('responses conform to openapi.trimmed.yaml', () => {
  let cw: Cw;
  const exercised = new Set<string>();
  beforeAll(async () => {
    cw = client(await startSimulatorServer({ validateResponses: true }));
  });
  afterAll(() => cw.sim.close());

  async function expectConforming(method: string, template: string, path: string, body?: unknown) {
    const res = await cw.send<{ code?: string; message?: string }>(method, path, body);
    exercised.add(`${method} ${template}`);
    // A response that breaks the spec comes back as 500 InternalServerError with the violations.
    expect([method, path, res.status, res.status < 300 ? '' : JSON.stringify(res.body)]).toEqual([
      method,
      path,
      expect.any(Number),
      '',
    ]);
    return res;
  }

  it('the route table implements exactly the spec’s operations', () => {
    const spec = operations()
      .map((o) => `${o.method} ${o.template}`)
      .sort();
    expect(Object.keys(routeTable()).sort()).toEqual(spec);
    expect(spec).toHaveLength(65);
  });

  it('every GET of the excerpt, with default paging', async () => {
    for (const op of operations().filter((o) => o.method === 'GET')) {
      await expectConforming(
        'GET',
        op.template,
        fill(op.template, SAMPLE[op.template]) + '?pageSize=1000',
      );
    }
  });

  it('every write of the excerpt', async () => {
    const t = await expectConforming('POST', '/service/tickets', '/service/tickets', {
      summary: 'conformance',
      board: { id: 2 },
      company: { id: 250 },
      initialDescription: 'x',
    });
    const id = (t.body as { id: number }).id;
    await expectConforming('PATCH', '/service/tickets/{id}', `/service/tickets/${id}`, [
      { op: 'replace', path: 'status', value: { id: 204 } },
    ]);
    await expectConforming(
      'POST',
      '/service/tickets/{parentId}/notes',
      `/service/tickets/${id}/notes`,
      {
        text: 'note',
        internalAnalysisFlag: true,
      },
    );
    const a = await expectConforming(
      'POST',
      '/finance/agreements/{parentId}/additions',
      '/finance/agreements/300/additions',
      {
        product: { id: 1351 },
        billCustomer: 'Billable',
        quantity: 3,
        effectiveDate: '2025-11-01T00:00:00Z',
      },
    );
    const aid = (a.body as { id: number }).id;
    const addition = `/finance/agreements/300/additions/${aid}`;
    await expectConforming('PATCH', '/finance/agreements/{parentId}/additions/{id}', addition, [
      { op: 'replace', path: 'cancelledDate', value: '2030-01-31T00:00:00Z' },
    ]);
    await expectConforming('PUT', '/finance/agreements/{parentId}/additions/{id}', addition, {
      product: { id: 1351 },
      billCustomer: 'DoNotBill',
      quantity: 4,
    });
    await cw.sim.admin.security.setLevels('Finance/Agreements', { delete: 'All' });
    await expectConforming('DELETE', '/finance/agreements/{parentId}/additions/{id}', addition);
    const c = await expectConforming('POST', '/procurement/catalog', '/procurement/catalog', {
      identifier: 'CONF-1',
      description: 'Conformance',
      customerDescription: 'Conformance',
      subcategory: { id: 1 },
      type: { id: 1 },
    });
    await expectConforming(
      'PATCH',
      '/procurement/catalog/{id}',
      `/procurement/catalog/${(c.body as { id: number }).id}`,
      [{ op: 'replace', path: 'price', value: 9.5 }],
    );
    const h = await expectConforming(
      'POST',
      '/system/connectwisehostedsetups',
      '/system/connectwisehostedsetups',
      {
        screenId: 1,
        description: 'Conformance tab',
        url: 'https://console.example/cw',
        type: 'Tab',
      },
    );
    const setup = `/system/connectwisehostedsetups/${(h.body as { id: number }).id}`;
    await expectConforming('PATCH', '/system/connectwisehostedsetups/{id}', setup, [
      { op: 'replace', path: 'disabledFlag', value: true },
    ]);
    await expectConforming('DELETE', '/system/connectwisehostedsetups/{id}', setup);
    const cb = await expectConforming('POST', '/system/callbacks', '/system/callbacks', {
      url: 'https://engine.example/connectwise/callbacks/t?recordId=',
      objectId: 2,
      type: 'ticket',
      level: 'board',
      isSelfSuppressedFlag: true,
    });
    const callback = `/system/callbacks/${(cb.body as { id: number }).id}`;
    await expectConforming('PATCH', '/system/callbacks/{id}', callback, [
      { op: 'replace', path: 'objectId', value: 3 },
    ]);
    await expectConforming('PUT', '/system/callbacks/{id}', callback, {
      url: 'https://engine.example/connectwise/callbacks/t?recordId=',
      objectId: 2,
      type: 'ticket',
      level: 'board',
    });
    await expectConforming('DELETE', '/system/callbacks/{id}', callback);
  });

  it('exercised every operation of the excerpt', () => {
    expect([...exercised].sort()).toEqual(
      operations()
        .map((o) => `${o.method} ${o.template}`)
        .sort(),
    );
  });

  it('can fail: a record that breaks its schema is reported, not served', async () => {
    const seed = loadDemoSeed();
    const board = seed.collections.boards[0];
    if (!board) throw new Error('demo seed has no boards');
    board.inactiveFlag = 'no';
    const broken = client(await startSimulatorServer({ seed, validateResponses: true }));
    try {
      const res = await broken.get<{ code: string; errors?: { message: string }[] }>(
        '/service/boards/1',
      );
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body.errors)).toMatch(/inactiveFlag/);
      expect((await broken.get('/service/boards/2')).status).toBe(200);
    } finally {
      await broken.sim.close();
    }
  });
});
