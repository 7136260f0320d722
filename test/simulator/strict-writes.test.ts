import { startDemo, type Cw } from './helpers';

interface CwErr {
  code: string;
  message: string;
  errors?: { code: string; message: string; resource?: string; field?: string }[];
}

const ADDITION = '/finance/agreements/300/additions/5001';
const addition = { product: { id: 1350 }, billCustomer: 'Billable', quantity: 2 };
const ticket = { summary: 'DefensX: strict', board: { id: 2 }, company: { id: 250 } };

describe('writes are checked as strictly as CW binds them', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterEach(() => cw.sim.admin.reset());
  afterAll(() => cw.sim.close());

  const storedAddition = async () =>
    (await cw.sim.admin.state.additions(300)).find((a) => a.id === 5001);

  describe('date-times are yyyy-MM-ddTHH:mm:ssZ or a 400 naming the field', () => {
    it.each([
      '2025-11-01T00:00:00.000Z',
      '2025-11-01T02:00:00+02:00',
      '2025-11-01T00:00:00',
      '2025-11-01',
      '2025-02-30T00:00:00Z',
    ])('POST effectiveDate %j', async (effectiveDate) => {
      const res = await cw.send<CwErr>('POST', '/finance/agreements/300/additions', {
        ...addition,
        effectiveDate,
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('InvalidObject');
      expect(res.body.errors).toEqual([
        expect.objectContaining({ code: 'InvalidField', field: 'effectiveDate' }),
      ]);
    });

    it.each(['2030-11-30T00:00:00.000Z', '2030-11-30T01:00:00+01:00', 'soon'])(
      'PATCH cancelledDate %j',
      async (value) => {
        const res = await cw.send<CwErr>('PATCH', ADDITION, [
          { op: 'replace', path: 'cancelledDate', value },
        ]);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([
          expect.objectContaining({ code: 'InvalidField', field: 'cancelledDate' }),
        ]);
        expect((await storedAddition())?.cancelledDate).toBeUndefined();
      },
    );

    it('takes the exact format', async () => {
      const res = await cw.send<{ cancelledDate: string }>('PATCH', ADDITION, [
        { op: 'replace', path: 'cancelledDate', value: '2030-11-30T00:00:00Z' },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.cancelledDate).toBe('2030-11-30T00:00:00Z');
    });
  });

  describe('PATCH values are checked against the field’s schema, like POST bodies', () => {
    it.each([
      ['billCustomer', 'Bogus'],
      ['taxableFlag', 'yes'],
      ['unitPrice', 'abc'],
      ['quantity', '5'],
      ['product', 1351],
      ['cancelledDate', null],
    ])('%s: %j → 400 as on POST', async (path, value) => {
      const patched = await cw.send<CwErr>('PATCH', ADDITION, [{ op: 'replace', path, value }]);
      expect(patched.status).toBe(400);
      expect(patched.body).toMatchObject({
        code: 'InvalidObject',
        message: 'addition object is invalid',
      });
      expect(patched.body.errors?.[0]).toMatchObject({
        code: 'InvalidField',
        resource: 'addition',
        field: path,
      });
      const posted = await cw.send<CwErr>('POST', '/finance/agreements/300/additions', {
        ...addition,
        [path]: value,
      });
      expect(posted.status).toBe(400);
      expect(posted.body.errors?.[0]).toMatchObject({ code: 'InvalidField', field: path });
      const stored = await storedAddition();
      expect(stored).toMatchObject({ quantity: 20, billCustomer: 'Billable' });
    });

    it('names the enum’s allowed values and a nested field', async () => {
      const res = await cw.send<CwErr>('PATCH', '/service/tickets/9000', [
        { op: 'replace', path: 'severity', value: 'Huge' },
        { op: 'replace', path: 'status/id', value: 'closed' },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          code: 'InvalidField',
          message: 'severity must be equal to one of the allowed values: Low, Medium, High',
          resource: 'ticket',
          field: 'severity',
        },
        expect.objectContaining({ code: 'InvalidField', field: 'status/id' }),
      ]);
    });

    it('refuses a string over the spec’s max length as MaxLengthField', async () => {
      const res = await cw.send<CwErr>('PATCH', '/service/tickets/9000', [
        { op: 'replace', path: 'summary', value: 'x'.repeat(101) },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          code: 'MaxLengthField',
          message: 'summary must be a string with a maximum length of 100.',
          resource: 'ticket',
          field: 'summary',
        },
      ]);
    });

    it('takes null where the spec says nullable, and valid values', async () => {
      const res = await cw.send<{ lessIncluded?: number; unitPrice: number }>('PATCH', ADDITION, [
        { op: 'replace', path: 'lessIncluded', value: null },
        { op: 'replace', path: 'unitPrice', value: 4.5 },
        { op: 'replace', path: 'billCustomer', value: 'DoNotBill' },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ unitPrice: 4.5, billCustomer: 'DoNotBill' });
    });
  });

  describe('body names bind case-insensitively; unknown ones are dropped', () => {
    it('POST: mis-cased names reach their fields, unknown ones are neither stored nor echoed', async () => {
      await cw.sim.admin.journal.clear();
      const res = await cw.send<Record<string, unknown>>('POST', '/service/tickets', {
        SUMMARY: 'DefensX: cased',
        Board: { ID: 2 },
        company: { id: 250, Bogus: 1 },
        notAField: 'typo',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        summary: 'DefensX: cased',
        board: { id: 2, name: 'Security Alerts' },
        company: { id: 250, name: 'Acme Corp' },
      });
      expect(res.body).not.toHaveProperty('notAField');
      expect(res.body).not.toHaveProperty('SUMMARY');
      const stored = (await cw.sim.admin.state.tickets()).find((t) => t.id === res.body.id);
      expect(stored).not.toHaveProperty('notAField');
      const [entry] = await cw.sim.admin.journal.list();
      expect(entry?.ignoredFields).toEqual(['company/Bogus', 'notAField']);
    });

    it('a required field given only under a wrong name is still missing', async () => {
      const res = await cw.send<CwErr>('POST', '/service/tickets', {
        ...ticket,
        summary: undefined,
        sumary: 'typo',
      });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]).toMatchObject({ code: 'NullValue', field: 'summary' });
    });

    it('PATCH: operation keys and reference values bind too', async () => {
      const res = await cw.send<{ company: unknown; summary: string }>(
        'PATCH',
        '/service/tickets/9000',
        [
          { Op: 'replace', PATH: 'company', Value: { ID: 254, extra: true } },
          { op: 'replace', path: 'summary', value: 'renamed' },
        ],
      );
      expect(res.status).toBe(200);
      expect(res.body.company).toEqual({ id: 254, identifier: 'Globex', name: 'Globex Inc' });
      expect(res.body.summary).toBe('renamed');
    });
  });
});
