/** ConnectWise's date-time form: UTC, seconds precision, no milliseconds (docs/connectwise.md §8.5). */
export const CW_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Formats a Date as `yyyy-MM-ddTHH:mm:ssZ`; milliseconds are dropped, not rounded. */
export function formatCwDateTime(date: Date): string {
  if (Number.isNaN(date.getTime()))
    throw new RangeError('Invalid Date cannot be sent to ConnectWise');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
