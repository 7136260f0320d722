import { z } from 'zod';

const DATE_MESSAGE =
  'must be a date (2026-06-15, midnight UTC) or a date-time with its offset (2026-06-15T10:00:00Z)';

const instant = (what: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: DATE_MESSAGE })
    .optional()
    .describe(what);

/** `from` ≤ time < `to`, as query parameters. */
export const dateRangeQuery = {
  from: instant('From this time on (inclusive)'),
  // A rule between two parameters: stated for the fuzzer's hooks (dev/fuzz/hooks.py).
  to: instant('Before this time (exclusive); later than `from`').meta({ 'x-later-than': 'from' }),
};

/** The refinement of a query with `dateRangeQuery`: a range that ends before it starts is a 400. */
export const orderedRange = (
  query: { from?: string | undefined; to?: string | undefined },
  ctx: z.RefinementCtx,
): void => {
  if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from))
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
};

/** The range as dates. */
export const rangeOf = (query: { from?: string | undefined; to?: string | undefined }) => ({
  from: query.from ? new Date(query.from) : undefined,
  to: query.to ? new Date(query.to) : undefined,
});
