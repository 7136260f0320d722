import { startDemo, type Cw } from './helpers';

interface CwErr {
  code: string;
  message: string;
  errors?: { code: string; message: string; resource?: string; field?: string }[];
}

interface Ticket {
  id: number;
  summary: string;
  board: { id: number; name: string };
  status: { id: number; name: string };
  company: { id: number; name: string; identifier: string };
  closedFlag: boolean;
  closedDate?: string;
  initialDescription?: string;
  externalXRef?: string;
  _info?: Record<string, string>;
}

interface Addition {
  id: number;
  agreementId: number;
  product: { id: number; identifier: string };
  quantity: number;
  unitPrice: number;
  unitCost: number;
  extPrice: number;
  extCost: number;
  billCustomer: string;
  effectiveDate: string;
  cancelledDate?: string;
  description?: string;
}

const ticket = {
  summary: 'DefensX: test',
  board: { id: 2 },
  company: { id: 250 },
  externalXRef: 'dfx:evt:t1',
};
const CW_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('writes', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterEach(() => cw.sim.admin.reset());
  afterAll(() => cw.sim.close());

  describe('tickets', () => {
    it('creates with names filled in, never returns initialDescription, and makes it the first note', async () => {
      const res = await cw.send<Ticket>('POST', '/service/tickets', {
        ...ticket,
        initialDescription: 'Blocked download [dfx:evt:t1]',
        processNotifications: false,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        summary: 'DefensX: test',
        board: { id: 2, name: 'Security Alerts' },
        status: { id: 201, name: 'New' },
        company: { id: 250, identifier: 'AcmeCorp', name: 'Acme Corp' },
        closedFlag: false,
      });
      expect(res.body).not.toHaveProperty('initialDescription');
      expect(res.body._info?.dateEntered).toMatch(CW_DATE);
      const again = await cw.get<Ticket>(`/service/tickets/${res.body.id}`);
      expect(again.body).not.toHaveProperty('initialDescription');
      const notes = await cw.get<{ text: string; detailDescriptionFlag: boolean }[]>(
        `/service/tickets/${res.body.id}/notes`,
      );
      expect(notes.body).toEqual([
        expect.objectContaining({
          text: 'Blocked download [dfx:evt:t1]',
          detailDescriptionFlag: true,
        }),
      ]);
      const found = await cw.get<Ticket[]>(
        `/service/tickets?conditions=${encodeURIComponent('externalXRef="dfx:evt:t1"')}`,
      );
      expect(found.body.map((t) => t.id)).toEqual([res.body.id]);
    });

    it('rejects a status from another board with CW’s NotFound wording', async () => {
      const res = await cw.send<CwErr>('POST', '/service/tickets', {
        ...ticket,
        status: { id: 101 },
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 'InvalidObject',
        message: 'ticket object is invalid',
        errors: [
          {
            code: 'NotFound',
            message: 'Service Status 101 not found for Service Board 2',
            resource: 'ticket',
            field: 'status/id',
          },
        ],
      });
    });

    it('reports maxLength from the spec description and unknown companies, all at once', async () => {
      const res = await cw.send<CwErr>('POST', '/service/tickets', {
        ...ticket,
        summary: 'x'.repeat(101),
        company: { id: 999 },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          {
            code: 'MaxLengthField',
            message: 'summary must be a string with a maximum length of 100.',
            resource: 'ticket',
            field: 'summary',
          },
          expect.objectContaining({
            code: 'NotFound',
            field: 'company/id',
            message: 'Company 999 not found',
          }),
        ]),
      );
      expect((await cw.sim.admin.state.tickets()).length).toBe(3);
    });

    it('refuses inactive and project boards', async () => {
      for (const board of [3, 4]) {
        const res = await cw.send<CwErr>('POST', '/service/tickets', {
          ...ticket,
          board: { id: board },
        });
        expect(res.status).toBe(400);
        expect(res.body.errors?.[0]?.field).toBe('board/id');
      }
    });

    it('closes with a closed status: closedFlag and closedDate follow; reopening clears them', async () => {
      const created = await cw.send<Ticket>('POST', '/service/tickets', ticket);
      const closed = await cw.send<Ticket>('PATCH', `/service/tickets/${created.body.id}`, [
        { op: 'replace', path: 'status', value: { id: 204 } },
      ]);
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: { id: 204, name: 'Closed' }, closedFlag: true });
      expect(closed.body.closedDate).toMatch(CW_DATE);
      const reopened = await cw.send<Ticket>('PATCH', `/service/tickets/${created.body.id}`, [
        { op: 'replace', path: 'status/id', value: 202 },
      ]);
      expect(reopened.body).toMatchObject({
        status: { id: 202, name: 'Investigating' },
        closedFlag: false,
      });
      expect(reopened.body.closedDate).toBeUndefined();
    });
  });

  describe('JSON-Patch', () => {
    it('replaces a reference whole: a stale name never survives', async () => {
      const res = await cw.send<Ticket>('PATCH', '/service/tickets/9000', [
        { op: 'replace', path: 'company', value: { id: 254, name: 'Wrong Name' } },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.company).toEqual({ id: 254, identifier: 'Globex', name: 'Globex Inc' });
    });

    it('accepts scalars in value (the spec says object), and add/remove ops', async () => {
      const res = await cw.send<Addition>('PATCH', '/finance/agreements/300/additions/5001', [
        { op: 'replace', path: 'quantity', value: 42 },
        { op: 'add', path: 'cancelledDate', value: '2030-11-30T00:00:00Z' },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        quantity: 42,
        extPrice: 168,
        extCost: 84,
        cancelledDate: '2030-11-30T00:00:00Z',
      });
      const removed = await cw.send<Addition>('PATCH', '/finance/agreements/300/additions/5001', [
        { op: 'remove', path: 'cancelledDate' },
      ]);
      expect(removed.body.cancelledDate).toBeUndefined();
    });

    it.each([
      ['wrong case', [{ op: 'replace', path: 'Quantity', value: 1 }], 'Quantity'],
      ['leading slash', [{ op: 'replace', path: '/quantity', value: 1 }], '/quantity'],
      ['unknown op', [{ op: 'move', path: 'quantity', value: 1 }], 'quantity'],
      ['computed field', [{ op: 'replace', path: 'extPrice', value: 1 }], 'extPrice'],
      ['id', [{ op: 'replace', path: 'id', value: 1 }], 'id'],
      ['missing value', [{ op: 'replace', path: 'quantity' }], 'quantity'],
    ])('refuses %s with a 400 naming the path', async (_name, ops, field) => {
      const res = await cw.send<CwErr>('PATCH', '/finance/agreements/300/additions/5001', ops);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('InvalidObject');
      expect(res.body.errors?.[0]).toMatchObject({ resource: 'addition', field });
      const stored = (await cw.sim.admin.state.additions(300)).find((a) => a.id === 5001);
      expect(stored?.quantity).toBe(20);
    });

    it('refuses a ticket patch of POST-only initialDescription and an invalid result', async () => {
      const a = await cw.send<CwErr>('PATCH', '/service/tickets/9000', [
        { op: 'replace', path: 'initialDescription', value: 'x' },
      ]);
      expect(a.status).toBe(400);
      const b = await cw.send<CwErr>('PATCH', '/service/tickets/9000', [
        { op: 'remove', path: 'summary' },
      ]);
      expect(b.status).toBe(400);
      expect(b.body.errors?.[0]).toMatchObject({ code: 'NullValue', field: 'summary' });
    });
  });

  describe('additions', () => {
    it('creates with catalog defaults and computed amounts, visible in state', async () => {
      const res = await cw.send<Addition>('POST', '/finance/agreements/307/additions', {
        product: { id: 1350 },
        quantity: 24,
        billCustomer: 'Billable',
        effectiveDate: '2025-11-01T00:00:00Z',
        taxableFlag: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        agreementId: 307,
        product: { id: 1350, identifier: 'DFX-BROWSER-SEC' },
        quantity: 24,
        unitPrice: 4,
        unitCost: 2,
        extPrice: 96,
        extCost: 48,
        description: 'DefensX Browser Security',
        effectiveDate: '2025-11-01T00:00:00Z',
      });
      const stored = await cw.sim.admin.state.additions(307);
      expect(stored.map((a) => a.id)).toEqual([res.body.id]);
    });

    it('reports an unknown product and a missing billCustomer', async () => {
      const res = await cw.send<CwErr>('POST', '/finance/agreements/300/additions', {
        product: { id: 4242 },
        billCustomer: 'Billable',
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          code: 'NotFound',
          message: 'Product 4242 not found',
          resource: 'addition',
          field: 'product/id',
        },
      ]);
      const missing = await cw.send<CwErr>('POST', '/finance/agreements/300/additions', {
        product: { id: 1350 },
      });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({
        code: 'InvalidObject',
        message: 'addition object is invalid',
      });
      expect(missing.body.errors?.[0]).toMatchObject({
        code: 'NullValue',
        field: 'billCustomer',
        resource: 'addition',
      });
    });

    it('404s an unknown agreement', async () => {
      const res = await cw.send<CwErr>('POST', '/finance/agreements/999/additions', {
        product: { id: 1350 },
        billCustomer: 'Billable',
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NotFound');
      expect((await cw.get('/finance/agreements/999/additions')).status).toBe(404);
      expect((await cw.get('/finance/agreements/300/additions/5003')).status).toBe(404);
    });

    it('PUT replaces the record; DELETE removes it', async () => {
      const put = await cw.send<Addition>('PUT', '/finance/agreements/300/additions/5001', {
        product: { identifier: 'DFX-SECURE-DNS' },
        billCustomer: 'NoCharge',
        quantity: 3,
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        id: 5001,
        product: { id: 1351 },
        billCustomer: 'NoCharge',
        quantity: 3,
        unitPrice: 2.5,
      });
      expect(put.body.effectiveDate).toMatch(CW_DATE);
      await cw.sim.admin.security.setLevels('Finance/Agreements', { delete: 'All' });
      expect((await cw.send('DELETE', '/finance/agreements/300/additions/5001')).status).toBe(204);
      expect((await cw.get('/finance/agreements/300/additions/5001')).status).toBe(404);
    });

    it('never reuses the id of a deleted record, as ConnectWise does not', async () => {
      const body = { product: { identifier: 'DFX-SECURE-DNS' }, billCustomer: 'Billable' };
      const first = await cw.send<Addition>('POST', '/finance/agreements/300/additions', body);
      await cw.sim.admin.security.setLevels('Finance/Agreements', { delete: 'All' });
      const deleted = await cw.send('DELETE', `/finance/agreements/300/additions/${first.body.id}`);
      expect(deleted.status).toBe(204);
      const second = await cw.send<Addition>('POST', '/finance/agreements/300/additions', body);
      expect(second.status).toBe(201);
      expect(second.body.id).toBeGreaterThan(first.body.id);
    });
  });

  describe('catalog and hosted setups', () => {
    const item = {
      identifier: 'DFX-NEW',
      description: 'New product',
      customerDescription: 'New product',
      subcategory: { id: 1 },
      type: { id: 1 },
      integrationXRef: 'dfx:new',
    };

    it('creates a catalog item, then ObjectExists for the same identifier in any case', async () => {
      const res = await cw.send<{ id: number; category: { id: number } }>(
        'POST',
        '/procurement/catalog',
        item,
      );
      expect(res.status).toBe(201);
      expect(res.body.category).toEqual({ id: 2, name: 'Security Services' });
      const dup = await cw.send<CwErr>('POST', '/procurement/catalog', {
        ...item,
        identifier: 'dfx-new',
      });
      expect(dup.status).toBe(400);
      expect(dup.body.errors?.[0]).toMatchObject({
        code: 'ObjectExists',
        field: 'identifier',
        resource: 'catalogItem',
      });
      const patched = await cw.send<CwErr>('PATCH', '/procurement/catalog/1350', [
        { op: 'replace', path: 'identifier', value: 'DFX-NEW' },
      ]);
      expect(patched.body.errors?.[0]?.code).toBe('ObjectExists');
      const xref = await cw.get<{ id: number }[]>(
        `/procurement/catalog?conditions=${encodeURIComponent('integrationXRef="dfx:new"')}`,
      );
      expect(xref.body.map((c) => c.id)).toEqual([res.body.id]);
    });

    it('hosted setups: create, ObjectExists on description, patch, delete', async () => {
      const body = {
        screenId: 1,
        description: 'DefensX',
        url: 'https://console.example/cw?id=[cw_id]',
        type: 'Tab',
        origin: 'https://console.example',
      };
      const res = await cw.send<{ id: number; clientId: string; disabledFlag: boolean }>(
        'POST',
        '/system/connectwisehostedsetups',
        body,
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ disabledFlag: false });
      const dup = await cw.send<CwErr>('POST', '/system/connectwisehostedsetups', body);
      expect(dup.body.errors?.[0]).toMatchObject({ code: 'ObjectExists', field: 'description' });
      const badScreen = await cw.send<CwErr>('POST', '/system/connectwisehostedsetups', {
        ...body,
        description: 'x',
        screenId: 99,
      });
      expect(badScreen.body.errors?.[0]).toMatchObject({ code: 'NotFound', field: 'screenId' });
      const patched = await cw.send<{ url: string }>(
        'PATCH',
        `/system/connectwisehostedsetups/${res.body.id}`,
        [{ op: 'replace', path: 'url', value: 'https://console.example/v2' }],
      );
      expect(patched.body.url).toBe('https://console.example/v2');
      expect(
        (await cw.send('DELETE', `/system/connectwisehostedsetups/${res.body.id}`)).status,
      ).toBe(204);
      expect((await cw.sim.admin.state.hostedSetups()).map((s) => s.id)).toEqual([1]);
    });
  });

  describe('spec-breaking requests are refused', () => {
    it.each([
      ['wrong field type', 'POST', '/service/tickets', { ...ticket, summary: 5 }, 400, 'summary'],
      [
        'enum violation',
        'POST',
        '/finance/agreements/300/additions',
        { product: { id: 1350 }, billCustomer: 'Sometimes' },
        400,
        'billCustomer',
      ],
      ['missing required', 'POST', '/procurement/catalog', { identifier: 'X' }, 400, 'description'],
      [
        'patch body not an array',
        'PATCH',
        '/service/tickets/9000',
        { op: 'replace' },
        400,
        undefined,
      ],
      ['bad query param type', 'GET', '/service/tickets?page=abc', undefined, 400, 'page'],
      ['unknown query param', 'GET', '/service/tickets?pagesize=5', undefined, 400, 'pagesize'],
      ['unknown path', 'GET', '/service/nothing', undefined, 404, undefined],
      ['method not in spec', 'DELETE', '/service/tickets/9000', undefined, 405, undefined],
    ])('%s', async (_name, method, path, body, status, field) => {
      const res = await cw.send<CwErr>(method, path, body);
      expect(res.status).toBe(status);
      expect(typeof res.body.code).toBe('string');
      expect(typeof res.body.message).toBe('string');
      if (field) expect(res.body.errors?.map((e) => e.field)).toContain(field);
    });

    it('refuses malformed JSON in CW shape', async () => {
      const res = await fetch(`${cw.base}/service/tickets`, {
        method: 'POST',
        headers: {
          ...(await import('./helpers')).DEMO_HEADERS,
          'Content-Type': 'application/json',
        },
        body: '{"summary": ',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as CwErr).code).toBe('BadRequest');
    });
  });
});
