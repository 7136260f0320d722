/** The longest wait we take from a server: a larger value is more likely a bug than a plan. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

// RFC 9110 §5.6.7 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. The obsolete RFC 850 and
// asctime forms, and whatever else Date.parse would guess at, are not accepted.
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * `Retry-After` is delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds, at most
 * one hour, or undefined when the header is absent or in any other form, so callers fall back to
 * their own backoff.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else if (IMF_FIXDATE.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  } else {
    return undefined;
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
