import type { SimRecord } from './resources';
import type { Store } from './store';

/** What one emulated Agreement Invoicing run did to an agreement. */
export interface AgreementInvoice {
  agreementId: number;
  /** yyyy-MM-dd: the first day the invoice covers (the agreement's `nextInvoiceDate` before). */
  invoicedFrom: string;
  /** yyyy-MM-dd: the last day it covers, the day before the new `nextInvoiceDate`. */
  invoicedThrough: string;
  /** The agreement's new `nextInvoiceDate`, in the form it is stored and served in. */
  nextInvoiceDate: string;
}

/** A request the admin route answers 400 (`status` 404 for an unknown agreement). */
export class InvoicingError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

/**
 * Months in one billing cycle, by ConnectWise's cycle name, compared without case, spaces or
 * hyphens. Cycle names are a tenant's setup table; these are the stock ones (verify).
 */
const CYCLE_MONTHS: Record<string, number> = {
  monthly: 1,
  quarterly: 3,
  semiannual: 6,
  semiannually: 6,
  annual: 12,
  yearly: 12,
};

export function cycleMonths(name: unknown): number | undefined {
  if (typeof name !== 'string') return undefined;
  return CYCLE_MONTHS[name.toLowerCase().replace(/[\s-]/g, '')];
}

const DAY_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/;

/** [year, month 1–12, day] of a `yyyy-MM-dd` date or date-time that names a real day. */
function partsOf(value: unknown): [number, number, number] | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DAY_PREFIX.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return d >= 1 && mo >= 1 && mo <= 12 && d <= daysIn(y, mo) ? [y, mo, d] : undefined;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function format(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * `months` after [y, mo, d], on day `anchor` clamped to the month's length (Jan 31 + 1 month is
 * Feb 28, and with the anchor 31 the next is Mar 31).
 */
function addMonths([y, mo]: [number, number, number], months: number, anchor: number): string {
  const index = y * 12 + (mo - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return format(Date.UTC(year, month - 1, Math.min(anchor, daysIn(year, month))));
}

/**
 * Emulates the MSP running Agreement Invoicing for one agreement: the period from its
 * `nextInvoiceDate` (or, with none, its `billStartDate`, else `startDate`) for one billing cycle is
 * invoiced, and `nextInvoiceDate` moves on by that cycle. The day of month follows `billStartDate`
 * when the current date is that day clamped to its month, so a bill start on the 31st comes back
 * after a short month (our choice, verify). The agreement's status is not checked.
 */
export function invoiceAgreement(store: Store, agreementId: number): AgreementInvoice {
  const agreement = store.get('agreements', agreementId);
  if (!agreement) throw new InvoicingError(`Agreement ${agreementId} not found.`, 404);
  const cycle = (agreement.billingCycle as { name?: unknown } | undefined)?.name;
  const months = cycleMonths(cycle);
  if (months === undefined) {
    throw new InvoicingError(
      typeof cycle === 'string'
        ? `Agreement ${agreementId} has billing cycle '${cycle}', which the simulator cannot invoice (Monthly, Quarterly, Semi-Annual, Annual).`
        : `Agreement ${agreementId} has no billing cycle; nothing to invoice.`,
    );
  }
  const current = agreement.nextInvoiceDate;
  const fromValue = current ?? agreement.billStartDate ?? agreement.startDate;
  const from = partsOf(fromValue);
  if (!from) {
    throw new InvoicingError(
      `Agreement ${agreementId} has no readable nextInvoiceDate, billStartDate or startDate (${JSON.stringify(fromValue ?? null)}).`,
    );
  }
  const billStart = partsOf(agreement.billStartDate);
  const anchor =
    billStart && Math.min(billStart[2], daysIn(from[0], from[1])) === from[2]
      ? billStart[2]
      : from[2];
  const next = addMonths(from, months, anchor);
  // Keep the stored form: a date stays a date, a date-time keeps its time part.
  const stored = typeof current === 'string' ? `${next}${current.slice(10)}` : next;
  const updated: SimRecord = { ...agreement, nextInvoiceDate: stored };
  store.save('agreements', updated);
  return {
    agreementId,
    invoicedFrom: format(Date.UTC(from[0], from[1] - 1, from[2])),
    invoicedThrough: format(Date.parse(`${next}T00:00:00Z`) - 86_400_000),
    nextInvoiceDate: stored,
  };
}
