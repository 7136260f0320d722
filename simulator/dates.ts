/** CW's wire format for date-times: `yyyy-MM-ddTHH:mm:ssZ`, UTC, no milliseconds. */
export function cwDate(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const CW_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * True only for a real instant written exactly as CW writes it. Milliseconds, offsets and bare dates
 * are refused rather than normalised, so a client that sends them fails here, not in production.
 */
export function isCwDate(value: unknown): value is string {
  if (typeof value !== 'string' || !CW_DATE.test(value)) return false;
  const ms = Date.parse(value);
  // Round-tripping rejects impossible dates such as 2025-02-30, which Date.parse rolls over.
  return !Number.isNaN(ms) && cwDate(new Date(ms)) === value;
}

export const CW_DATE_RULE =
  'must be a date-time in the form yyyy-MM-ddTHH:mm:ssZ (UTC, no milliseconds)';

/** Midnight UTC of the given day, the default effective date CW gives a new addition (verify). */
export function startOfDay(d: Date = new Date()): string {
  return cwDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())));
}
