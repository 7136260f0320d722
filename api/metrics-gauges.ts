import type { Repositories } from '../db';
import { gaugeFrom } from '../observability/metrics';

type Totals = { unbilled: number; unbilledAmount: number };

/**
 * The API's gauges read from the database when scraped (cached 15 s): open health issues by kind,
 * and each partner's unbilled seats and amount as its latest billing run left them (coverage).
 */
export function apiGauges(
  repos: Pick<Repositories, 'healthIssues' | 'billingSeats'>,
  cacheMs?: number,
): void {
  gaugeFrom(
    'cw_engine_health_issues_open',
    'Open health issues, by kind',
    'kind',
    () => repos.healthIssues.openCountsByKind(),
    cacheMs,
  );
  const each = (pick: (t: Totals) => number) => async () =>
    Object.fromEntries(
      Object.entries(await repos.billingSeats.totalsByPartner()).map(([partner, t]) => [
        partner,
        pick(t),
      ]),
    );
  gaugeFrom(
    'cw_engine_unbilled_seats',
    'Seats in use and not billed, per partner, as of its latest billing run (billing coverage)',
    'partner_id',
    each((t) => t.unbilled),
    cacheMs,
  );
  gaugeFrom(
    'cw_engine_unbilled_amount',
    'Monthly amount of the unbilled seats whose price is known, per partner (billing coverage)',
    'partner_id',
    each((t) => t.unbilledAmount),
    cacheMs,
  );
}
