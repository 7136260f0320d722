import fc from 'fast-check';
import {
  addDays,
  dayOf,
  invoicingOf,
  isDay,
  writeDatesFor,
  type AgreementInvoicing,
} from '../../domain/billing/invoice-period';

const monthly = (over: Partial<AgreementInvoicing> = {}): AgreementInvoicing => ({
  billingCycle: 'Monthly',
  nextInvoiceDate: '2026-01-01',
  billStartDate: '2025-01-01',
  prorateFlag: true,
  invoiceProratedAdditionsFlag: true,
  ...over,
});

describe('addDays and dayOf', () => {
  test('shift across month, year and leap-day ends', () => {
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-03-30', 2)).toBe('2025-04-01');
    expect(() => addDays('2025-02-30', 1)).toThrow(RangeError);
  });

  test("read ConnectWise's date and date-time as written", () => {
    expect(dayOf('2025-12-01')).toBe('2025-12-01');
    expect(dayOf('2025-12-01T00:00:00Z')).toBe('2025-12-01');
    expect(dayOf('2025-12-01T23:00:00-05:00')).toBe('2025-12-01');
    expect(dayOf(' 2025-12-01 ')).toBe('2025-12-01');
    expect(dayOf('2025-02-30')).toBeNull();
    expect(dayOf('12/01/2025')).toBeNull();
    expect(dayOf('')).toBeNull();
    expect(dayOf(null)).toBeNull();
    expect(dayOf(undefined)).toBeNull();
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2025-02-29')).toBe(false);
  });
});

describe('invoicingOf', () => {
  test("normalises a ConnectWise agreement's invoicing fields", () => {
    // As the client parses it: a reference with an id, and other fields beside.
    const agreement = {
      id: 300,
      billingCycle: { id: 2, name: 'Monthly' },
      nextInvoiceDate: '2025-12-01',
      billStartDate: '2024-01-01T00:00:00Z',
      prorateFlag: true,
      invoiceProratedAdditionsFlag: false,
    };
    expect(invoicingOf(agreement)).toEqual({
      billingCycle: 'Monthly',
      nextInvoiceDate: '2025-12-01',
      billStartDate: '2024-01-01',
      prorateFlag: true,
      invoiceProratedAdditionsFlag: false,
    });
  });

  test('absent, null or unreadable fields are null dates and false flags', () => {
    const none: AgreementInvoicing = {
      billingCycle: null,
      nextInvoiceDate: null,
      billStartDate: null,
      prorateFlag: false,
      invoiceProratedAdditionsFlag: false,
    };
    expect(invoicingOf({})).toEqual(none);
    expect(
      invoicingOf({
        billingCycle: null,
        nextInvoiceDate: null,
        billStartDate: null,
        prorateFlag: null,
        invoiceProratedAdditionsFlag: null,
      }),
    ).toEqual(none);
    expect(
      invoicingOf({ billingCycle: { name: '  ' }, nextInvoiceDate: 'soon', billStartDate: '' }),
    ).toEqual(none);
    expect(invoicingOf({ billingCycle: {} }).billingCycle).toBeNull();
  });
});

describe('writeDatesFor: examples', () => {
  test('a prorating agreement mid-period: start today, cancel at the end of the invoiced period', () => {
    expect(writeDatesFor(monthly(), '2025-12-10')).toEqual({
      effectiveDate: '2025-12-10',
      cancelDate: '2025-12-31',
      prorated: true,
      invoicedThrough: '2025-12-31',
    });
  });

  test('a non-prorating agreement mid-period: start on the first uninvoiced day', () => {
    expect(writeDatesFor(monthly({ prorateFlag: false }), '2025-12-10')).toEqual({
      effectiveDate: '2026-01-01',
      cancelDate: '2025-12-31',
      prorated: false,
      invoicedThrough: '2025-12-31',
    });
  });

  test('prorateFlag without invoiceProratedAdditionsFlag is not prorated', () => {
    const dates = writeDatesFor(monthly({ invoiceProratedAdditionsFlag: false }), '2025-12-10');
    expect(dates).toMatchObject({ prorated: false, effectiveDate: '2026-01-01' });
  });

  test('on the last invoiced day: cancel today, a non-prorating start is tomorrow', () => {
    expect(writeDatesFor(monthly({ prorateFlag: false }), '2025-12-31')).toEqual({
      effectiveDate: '2026-01-01',
      cancelDate: '2025-12-31',
      prorated: false,
      invoicedThrough: '2025-12-31',
    });
  });

  test('invoicing fell behind (nextInvoiceDate passed): both dates are today', () => {
    expect(writeDatesFor(monthly({ prorateFlag: false }), '2026-01-05')).toEqual({
      effectiveDate: '2026-01-05',
      cancelDate: '2026-01-05',
      prorated: false,
      invoicedThrough: '2025-12-31',
    });
  });

  test('nothing invoiced yet (billStartDate is the next invoice date): both dates are today', () => {
    const inv = monthly({ prorateFlag: false, billStartDate: '2026-01-01' });
    expect(writeDatesFor(inv, '2025-12-10')).toEqual({
      effectiveDate: '2025-12-10',
      cancelDate: '2025-12-10',
      prorated: false,
      invoicedThrough: null,
    });
    // A bill start after the next invoice date is no invoice either.
    expect(
      writeDatesFor(monthly({ billStartDate: '2026-02-01' }), '2025-12-10').invoicedThrough,
    ).toBeNull();
  });

  test('no billStartDate: an invoice is taken to have been made', () => {
    const dates = writeDatesFor(monthly({ billStartDate: null, prorateFlag: false }), '2025-12-10');
    expect(dates).toMatchObject({ invoicedThrough: '2025-12-31', effectiveDate: '2026-01-01' });
  });

  test('no nextInvoiceDate (unknown): both dates are today', () => {
    expect(writeDatesFor(monthly({ nextInvoiceDate: null }), '2025-12-10')).toEqual({
      effectiveDate: '2025-12-10',
      cancelDate: '2025-12-10',
      prorated: true,
      invoicedThrough: null,
    });
  });

  test('an annual agreement invoiced through the year: a non-prorating start is next year', () => {
    const inv = monthly({
      billingCycle: 'Annual',
      nextInvoiceDate: '2026-03-01',
      billStartDate: '2024-03-01',
      prorateFlag: false,
    });
    expect(writeDatesFor(inv, '2025-04-15')).toEqual({
      effectiveDate: '2026-03-01',
      cancelDate: '2026-02-28',
      prorated: false,
      invoicedThrough: '2026-02-28',
    });
  });

  test('refuses a day that is not yyyy-MM-dd', () => {
    expect(() => writeDatesFor(monthly(), '2025-12-10T00:00:00Z')).toThrow(RangeError);
    expect(() => writeDatesFor(monthly(), '2025-02-30')).toThrow(RangeError);
    expect(() => writeDatesFor(monthly({ nextInvoiceDate: '2026/01/01' }), '2025-12-10')).toThrow(
      /nextInvoiceDate/,
    );
    expect(() => writeDatesFor(monthly({ billStartDate: 'x' }), '2025-12-10')).toThrow(
      /billStartDate/,
    );
  });
});

describe('writeDatesFor: properties', () => {
  const BASE = '2024-01-01';
  // Days from 2024 to about 2030, and dates related to today within about a year either way.
  const day = fc.integer({ min: 0, max: 2500 }).map((n) => addDays(BASE, n));
  const scenario = fc
    .record({
      today: day,
      nextOffset: fc.option(fc.integer({ min: -400, max: 400 }), { nil: null }),
      billStartOffset: fc.option(fc.integer({ min: -800, max: 60 }), { nil: null }),
      billingCycle: fc.constantFrom('Monthly', 'Quarterly', 'Annual', null),
      prorateFlag: fc.boolean(),
      invoiceProratedAdditionsFlag: fc.boolean(),
    })
    .map(({ today, nextOffset, billStartOffset, ...flags }) => {
      const nextInvoiceDate = nextOffset === null ? null : addDays(today, nextOffset);
      const billStartDate =
        billStartOffset === null || nextInvoiceDate === null
          ? null
          : addDays(nextInvoiceDate, billStartOffset);
      const inv: AgreementInvoicing = { ...flags, nextInvoiceDate, billStartDate };
      return { inv, today };
    });

  test('dates are real yyyy-MM-dd days, never before today', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        const d = writeDatesFor(inv, today);
        expect(isDay(d.effectiveDate)).toBe(true);
        expect(isDay(d.cancelDate)).toBe(true);
        expect(d.effectiveDate >= today).toBe(true);
        expect(d.cancelDate >= today).toBe(true);
      }),
    );
  });

  test('an addition is never cancelled inside a period already invoiced', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        const d = writeDatesFor(inv, today);
        if (d.invoicedThrough !== null && d.invoicedThrough >= today) {
          expect(d.cancelDate >= d.invoicedThrough).toBe(true);
          expect(d.cancelDate).toBe(d.invoicedThrough);
        } else {
          expect(d.cancelDate).toBe(today);
        }
      }),
    );
  });

  test('unless prorated, a new addition starts after the invoiced period', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        const d = writeDatesFor(inv, today);
        if (!d.prorated && d.invoicedThrough !== null) {
          expect(d.effectiveDate > d.invoicedThrough).toBe(true);
        }
        if (d.prorated) expect(d.effectiveDate).toBe(today);
        // Never later than needed: today, or the first uninvoiced day.
        expect([today, d.invoicedThrough && addDays(d.invoicedThrough, 1)]).toContain(
          d.effectiveDate,
        );
      }),
    );
  });

  test('prorated is exactly prorateFlag && invoiceProratedAdditionsFlag', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        expect(writeDatesFor(inv, today).prorated).toBe(
          inv.prorateFlag && inv.invoiceProratedAdditionsFlag,
        );
      }),
    );
  });

  test('invoicedThrough is the day before nextInvoiceDate once an invoice is made, else null', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        const { invoicedThrough } = writeDatesFor(inv, today);
        const invoiced =
          inv.nextInvoiceDate !== null &&
          (inv.billStartDate === null || inv.billStartDate < inv.nextInvoiceDate);
        expect(invoicedThrough).toBe(invoiced ? addDays(inv.nextInvoiceDate!, -1) : null);
      }),
    );
  });

  test('the billing cycle name does not change the dates', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        expect(writeDatesFor({ ...inv, billingCycle: null }, today)).toEqual(
          writeDatesFor(inv, today),
        );
      }),
    );
  });

  test('cancelling then starting again leaves no gap and no overlap unless prorated', () => {
    fc.assert(
      fc.property(scenario, ({ inv, today }) => {
        const d = writeDatesFor(inv, today);
        if (!d.prorated && d.invoicedThrough !== null && d.invoicedThrough >= today) {
          expect(addDays(d.cancelDate, 1)).toBe(d.effectiveDate);
        }
      }),
    );
  });

  test('reading an agreement then computing is total for whatever ConnectWise sends', () => {
    const text = fc.option(
      fc.oneof(
        day,
        day.map((d) => `${d}T00:00:00Z`),
        fc.string(),
      ),
      { nil: null },
    );
    fc.assert(
      fc.property(
        day,
        fc.record({
          billingCycle: fc.option(fc.record({ name: fc.option(fc.string(), { nil: null }) }), {
            nil: null,
          }),
          nextInvoiceDate: text,
          billStartDate: text,
          prorateFlag: fc.option(fc.boolean(), { nil: null }),
          invoiceProratedAdditionsFlag: fc.option(fc.boolean(), { nil: null }),
        }),
        (today, agreement) => {
          const d = writeDatesFor(invoicingOf(agreement), today);
          expect(d.effectiveDate >= today && d.cancelDate >= today).toBe(true);
        },
      ),
    );
  });
});
