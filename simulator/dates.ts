/** CW's wire format for date-times: `yyyy-MM-ddTHH:mm:ssZ`, UTC, no milliseconds. */
export function cwDate(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Normalises an incoming date-time to CW's format; undefined if it is not a date. */
export function normaliseDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : cwDate(new Date(ms));
}

/** Midnight UTC of the given day, the default effective date CW gives a new addition (verify). */
export function startOfDay(d: Date = new Date()): string {
  return cwDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())));
}
