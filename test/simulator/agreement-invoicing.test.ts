import * as cw from '../../connectwise';
import { invoicingOf, writeDatesFor } from '../../domain/billing/invoice-period';
import { DEMO_CREDENTIALS } from '../../simulator';
import { startDemo, type Cw } from './helpers';

interface Agreement {
  id: number;
  nextInvoiceDate?: string;
  billStartDate?: string;
  prorateFlag?: boolean;
  invoiceProratedAdditionsFlag?: boolean;
  billingCycle?: { id?: number; name?: string };
}

/** The admin's Agreement Invoicing run: `nextInvoiceDate` moves on by one billing cycle. */
describe('admin agreement invoicing', () => {
  let sim: Cw;
  beforeAll(async () => {
    sim = await startDemo();
  });
  afterAll(() => sim.sim.close());
  afterEach(() => sim.sim.admin.reset());

  const admin = () => sim.sim.admin;
  const agreement = async (id: number) =>
    (await admin().state.agreements()).find((a) => a.id === id)!;
  /** A demo agreement edited as in ConnectWise's own screens. */
  async function edit(id: number, changes: Record<string, unknown>): Promise<void> {
    await admin().state.put('agreements', { ...(await agreement(id)), ...changes });
  }

  it('demo agreements carry invoicing fields consistent with their cycle', async () => {
    const served = await sim.get<Agreement>('/finance/agreements/300');
    expect(served.body).toMatchObject({
      billingCycle: { name: 'Monthly' },
      nextInvoiceDate: '2025-12-01',
      billStartDate: '2024-01-01T00:00:00Z',
      prorateFlag: true,
      invoiceProratedAdditionsFlag: true,
    });
    expect(await agreement(307)).toMatchObject({
      prorateFlag: false,
      invoiceProratedAdditionsFlag: false,
    });
    // The annual agreement bills from December: a whole number of years before its next invoice.
    expect(await agreement(303)).toMatchObject({
      billingCycle: { name: 'Annual' },
      billStartDate: '2024-12-01T00:00:00Z',
      nextInvoiceDate: '2025-12-01',
    });
  });

  it('invoices one monthly period at a time; the API serves the new nextInvoiceDate', async () => {
    expect(await admin().agreements.invoice(300)).toEqual({
      agreementId: 300,
      invoicedFrom: '2025-12-01',
      invoicedThrough: '2025-12-31',
      nextInvoiceDate: '2026-01-01',
    });
    expect(await admin().agreements.invoice(300)).toEqual({
      agreementId: 300,
      invoicedFrom: '2026-01-01',
      invoicedThrough: '2026-01-31',
      nextInvoiceDate: '2026-02-01',
    });
    const served = await sim.get<Agreement>('/finance/agreements/300');
    expect(served.body.nextInvoiceDate).toBe('2026-02-01');
    // Other agreements are untouched.
    expect((await agreement(306)).nextInvoiceDate).toBe('2025-12-01');
  });

  it.each([
    ['Quarterly', '2026-03-01'],
    ['Semi-Annual', '2026-06-01'],
    ['Semiannually', '2026-06-01'],
    ['Annual', '2026-12-01'],
    ['Yearly', '2026-12-01'],
    ['monthly', '2026-01-01'],
  ])('a %s cycle moves nextInvoiceDate to %s', async (name, next) => {
    await edit(306, { billingCycle: { id: 9, name } });
    const result = await admin().agreements.invoice(306);
    expect(result).toMatchObject({ invoicedFrom: '2025-12-01', nextInvoiceDate: next });
    const through = new Date(Date.parse(`${next}T00:00:00Z`) - 86_400_000);
    expect(result.invoicedThrough).toBe(through.toISOString().slice(0, 10));
  });

  it('keeps the bill start day of month across short months', async () => {
    await edit(300, { billStartDate: '2025-01-31T00:00:00Z', nextInvoiceDate: '2025-01-31' });
    const next = [];
    for (let i = 0; i < 3; i++) next.push((await admin().agreements.invoice(300)).nextInvoiceDate);
    expect(next).toEqual(['2025-02-28', '2025-03-31', '2025-04-30']);
  });

  it('keeps a date-time nextInvoiceDate a date-time; without one, starts at billStartDate', async () => {
    await edit(300, { nextInvoiceDate: '2025-12-01T00:00:00Z' });
    expect(await admin().agreements.invoice(300)).toMatchObject({
      invoicedFrom: '2025-12-01',
      nextInvoiceDate: '2026-01-01T00:00:00Z',
    });
    const { nextInvoiceDate: _drop, ...withoutNext } = await agreement(309);
    await admin().state.put('agreements', {
      ...withoutNext,
      billStartDate: '2025-06-01T00:00:00Z',
    });
    expect(await admin().agreements.invoice(309)).toEqual({
      agreementId: 309,
      invoicedFrom: '2025-06-01',
      invoicedThrough: '2025-06-30',
      nextInvoiceDate: '2025-07-01',
    });
  });

  it('refuses an agreement without a cycle, an unknown cycle and an unknown agreement', async () => {
    await expect(admin().agreements.invoice(301)).rejects.toThrow(/→ 400: .*no billing cycle/);
    await edit(306, { billingCycle: { id: 9, name: 'Biweekly' } });
    await expect(admin().agreements.invoice(306)).rejects.toThrow(
      /→ 400: .*billing cycle 'Biweekly'/,
    );
    await expect(admin().agreements.invoice(999_999)).rejects.toThrow(/→ 404: .*not found/);
    const res = await fetch(`${sim.sim.origin}/__admin/agreements/abc/invoice`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect((await agreement(306)).nextInvoiceDate).toBe('2025-12-01');
  });

  it('reset restores the seed’s nextInvoiceDate', async () => {
    await admin().agreements.invoice(300);
    await admin().reset();
    expect((await agreement(300)).nextInvoiceDate).toBe('2025-12-01');
  });

  it('what the engine reads after an invoice run: the period just invoiced', async () => {
    const client = await cw.createConnectWiseClient({
      site: sim.sim.origin,
      allowPrivateHosts: true,
      ...DEMO_CREDENTIALS,
    });
    await edit(307, { nextInvoiceDate: '2026-12-01' });
    await admin().agreements.invoice(307);
    const [listed] = (await cw.listAgreementsByCompany(client, 256)).filter((a) => a.id === 307);
    expect(listed).toMatchObject({
      nextInvoiceDate: '2027-01-01',
      billStartDate: '2024-01-01T00:00:00Z',
      invoiceProratedAdditionsFlag: false,
    });
    // The non-prorating agreement: a new addition waits for the first uninvoiced day.
    expect(writeDatesFor(invoicingOf(listed!), '2026-12-06')).toEqual({
      effectiveDate: '2027-01-01',
      cancelDate: '2026-12-31',
      prorated: false,
      invoicedThrough: '2026-12-31',
    });
    const fetched = await cw.getAgreement(client, 300);
    expect(invoicingOf(fetched)).toMatchObject({ prorateFlag: true, billStartDate: '2024-01-01' });
  });
});

describe('additions store prorateCurrentPeriodFlag', () => {
  let sim: Cw;
  beforeAll(async () => {
    sim = await startDemo();
  });
  afterAll(() => sim.sim.close());
  afterEach(() => sim.sim.admin.reset());

  it('from a POST, a PATCH and the engine client, with nothing dropped', async () => {
    const created = await sim.send<{ id: number; prorateCurrentPeriodFlag?: boolean }>(
      'POST',
      '/finance/agreements/300/additions',
      {
        product: { id: 1351 },
        quantity: 3,
        billCustomer: 'Billable',
        effectiveDate: '2025-12-10T00:00:00Z',
        prorateCurrentPeriodFlag: true,
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.prorateCurrentPeriodFlag).toBe(true);
    let stored = (await sim.sim.admin.state.additions(300)).find((a) => a.id === created.body.id);
    expect(stored?.prorateCurrentPeriodFlag).toBe(true);

    const patched = await sim.send(
      'PATCH',
      `/finance/agreements/300/additions/${created.body.id}`,
      [{ op: 'replace', path: 'prorateCurrentPeriodFlag', value: false }],
    );
    expect(patched.status).toBe(200);
    stored = (await sim.sim.admin.state.additions(300)).find((a) => a.id === created.body.id);
    expect(stored?.prorateCurrentPeriodFlag).toBe(false);

    const client = await cw.createConnectWiseClient({
      site: sim.sim.origin,
      allowPrivateHosts: true,
      ...DEMO_CREDENTIALS,
    });
    const viaEngine = await cw.createAddition(client, 306, {
      product: { id: 1353 },
      quantity: 1,
      billCustomer: 'Billable',
      effectiveDate: '2025-12-10T00:00:00Z',
      prorateCurrentPeriodFlag: true,
    });
    expect(viaEngine.prorateCurrentPeriodFlag).toBe(true);
    const journal = await sim.sim.admin.journal.list();
    expect(
      journal.filter((e) => e.method !== 'GET').map((e) => [e.status, e.ignoredFields]),
    ).toEqual([
      [201, undefined],
      [200, undefined],
      [201, undefined],
    ]);
  });
});
