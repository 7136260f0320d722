/**
 * The dates a billing write sends, from the agreement's invoicing (docs/connectwise.md §5 "Agreement",
 * "Addition"). Pure: no I/O, no clock; `today` is the MSP's calendar day (`time-zone.ts`).
 *
 * The rule (verify against a tenant). ConnectWise invoices an agreement in advance, one billing
 * cycle per invoice, when the MSP runs Agreement Invoicing; `nextInvoiceDate` is the first day of
 * the next period to invoice, so every day before it is already invoiced. An invoice has been made
 * when `nextInvoiceDate` is known and billing started before it (`billStartDate` absent, or earlier
 * than `nextInvoiceDate`); otherwise nothing is invoiced yet.
 *
 * - `invoicedThrough`: the day before `nextInvoiceDate` when an invoice has been made, else null.
 * - `prorated`: `prorateFlag && invoiceProratedAdditionsFlag`: ConnectWise prorates a new addition
 *   for the current, already invoiced, period (we then send `prorateCurrentPeriodFlag: true`).
 * - `effectiveDate` of a new addition: `today` when prorated, when nothing is invoiced, or when the
 *   invoiced period ended before today; otherwise the day after `invoicedThrough`, the first
 *   uninvoiced day (a non-prorating agreement bills a new addition from the next period anyway).
 * - `cancelDate` ("at the period end"): `invoicedThrough` when that is today or later, else
 *   `today`: an addition is never cancelled inside a period already invoiced.
 *
 * Neither date is ever before `today`. Dates are plain `yyyy-MM-dd` strings, compared as strings
 * and shifted with UTC date arithmetic, so no time zone or daylight saving enters.
 */

export interface AgreementInvoicing {
  /** billingCycle name as ConnectWise says it, e.g. "Monthly", "Quarterly", "Annual"; null when absent. */
  billingCycle: string | null;
  /** yyyy-MM-dd (from ConnectWise's date or date-time), null when absent. */
  nextInvoiceDate: string | null;
  billStartDate: string | null;
  prorateFlag: boolean;
  invoiceProratedAdditionsFlag: boolean;
}

export interface WriteDates {
  /** yyyy-MM-dd a new addition starts on. */
  effectiveDate: string;
  /** yyyy-MM-dd an addition is cancelled on ("at the period end"). */
  cancelDate: string;
  /** true when ConnectWise will prorate the new addition for the current period (we then send prorateCurrentPeriodFlag: true). */
  prorated: boolean;
  /** Last day already invoiced, or null when nothing has been invoiced yet / unknown. */
  invoicedThrough: string | null;
}

/** The agreement fields `invoicingOf` reads: the shape of ConnectWise's `Agreement`. */
export interface AgreementInvoicingFields {
  billingCycle?: { name?: string | null } | null;
  nextInvoiceDate?: string | null;
  billStartDate?: string | null;
  prorateFlag?: boolean | null;
  invoiceProratedAdditionsFlag?: boolean | null;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A date, or a date-time whose date part is taken as written (`2025-12-01T00:00:00Z`). */
const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:$|T)/;

/** The UTC instant of a real `yyyy-MM-dd` day, or undefined (`2025-02-30` is not one). */
function utcOf(day: string): number | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, date);
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to March; a real day survives the round trip.
  return back.getUTCFullYear() === year &&
    back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === date
    ? ms
    : undefined;
}

/** True for a real calendar day written `yyyy-MM-dd` (years 0000–9999). */
export function isDay(value: string): boolean {
  return utcOf(value) !== undefined;
}

function checkDay(value: string, name: string): number {
  const ms = utcOf(value);
  if (ms === undefined) throw new RangeError(`${name} must be a yyyy-MM-dd day, got '${value}'`);
  return ms;
}

function formatDay(ms: number): string {
  const d = new Date(ms);
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  const month = String(d.getUTCMonth() + 1).padStart(2, '0');
  const date = String(d.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${date}`;
}

/** `day` shifted by `days` calendar days (UTC arithmetic). */
export function addDays(day: string, days: number): string {
  const ms = checkDay(day, 'day');
  const d = new Date(ms);
  d.setUTCDate(d.getUTCDate() + days);
  return formatDay(d.getTime());
}

/**
 * The `yyyy-MM-dd` of ConnectWise's date (`2025-12-01`) or date-time (`2025-12-01T00:00:00Z`),
 * taken as written; null when absent, empty or not a real day.
 */
export function dayOf(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const day = DATE_PREFIX.exec(value.trim())?.[1];
  return day !== undefined && isDay(day) ? day : null;
}

/**
 * The invoicing fields of a ConnectWise agreement, normalised: dates as `yyyy-MM-dd` (null when
 * absent or unreadable), flags false when absent, the billing cycle's name or null.
 */
export function invoicingOf(agreement: AgreementInvoicingFields): AgreementInvoicing {
  const cycle = agreement.billingCycle?.name?.trim();
  return {
    billingCycle: cycle ? cycle : null,
    nextInvoiceDate: dayOf(agreement.nextInvoiceDate),
    billStartDate: dayOf(agreement.billStartDate),
    prorateFlag: agreement.prorateFlag === true,
    invoiceProratedAdditionsFlag: agreement.invoiceProratedAdditionsFlag === true,
  };
}

/** The last day already invoiced, or null when nothing has been invoiced (or it is unknown). */
function invoicedThroughOf(inv: AgreementInvoicing): string | null {
  const next = inv.nextInvoiceDate;
  if (next === null) return null;
  checkDay(next, 'nextInvoiceDate');
  if (inv.billStartDate !== null) {
    checkDay(inv.billStartDate, 'billStartDate');
    if (inv.billStartDate >= next) return null;
  }
  return addDays(next, -1);
}

/**
 * The dates a write on the agreement sends `today` (the module comment has the rule). Throws a
 * RangeError when `today` or a date of `inv` is not a real `yyyy-MM-dd` day.
 */
export function writeDatesFor(inv: AgreementInvoicing, today: string): WriteDates {
  checkDay(today, 'today');
  const invoicedThrough = invoicedThroughOf(inv);
  const prorated = inv.prorateFlag && inv.invoiceProratedAdditionsFlag;
  const periodRunning = invoicedThrough !== null && invoicedThrough >= today;
  return {
    effectiveDate: !prorated && periodRunning ? addDays(invoicedThrough, 1) : today,
    cancelDate: periodRunning ? invoicedThrough : today,
    prorated,
    invoicedThrough,
  };
}
