import { useState } from 'react';
import { Link } from 'wouter';
import { ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { TableWrap } from '../../components/table-wrap';
import { ErrorBanner, Toggle, When } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { usePartner } from '../../partner';
import type { Status } from './types';

type Coverage =
  paths['/partners/{partnerId}/connectwise/billing/coverage']['get']['responses'][200]['content']['application/json'];
type Gap = NonNullable<Coverage['customers'][number]['lines'][number]['gap']>;

/** How each gap is named on screen, and where it is fixed. */
const GAPS: Record<Gap, { label: string; fix?: { href: string; text: string } }> = {
  billing_off: {
    label: 'Billing off',
    fix: { href: '#billing-settings-title', text: 'Turn it on' },
  },
  unmapped: { label: 'Not mapped', fix: { href: '/company-mapping', text: 'Map it' } },
  excluded: { label: 'Excluded', fix: { href: '/company-mapping', text: 'Map it' } },
  no_agreement: {
    label: 'No agreement chosen',
    fix: { href: '#billing-settings-title', text: 'Choose one' },
  },
  agreement_ineligible: {
    label: 'Agreement not billable',
    fix: { href: '#billing-settings-title', text: 'Choose another' },
  },
  usage_stale: { label: 'Usage missing or stale' },
  held: { label: 'Waiting for approval', fix: { href: '#approvals-title', text: 'Decide' } },
  candidate_waiting: {
    label: 'Hand-made addition to decide',
    fix: { href: '#approvals-title', text: 'Decide' },
  },
  skipped: { label: 'Skipped by the last run' },
  write_failed: { label: 'ConnectWise refused a write' },
  not_billed_yet: { label: 'Billed at the next run' },
  not_catalogued: {
    label: 'No catalog item',
    fix: { href: '#products-title', text: 'Map the product' },
  },
  usage_changed: { label: 'Usage changed since the run' },
  over_billed: { label: 'Billed beyond use' },
  unexplained: { label: 'Unexplained' },
};

const money = (n: number) =>
  n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function GapCell({ gap, text }: { gap: Gap | null; text: string | undefined }) {
  if (!gap) return <span className="badge badge-ok">billed</span>;
  const { label, fix } = GAPS[gap];
  return (
    <span title={text}>
      <span className="badge badge-warn">{label}</span>{' '}
      {fix ? (
        fix.href.startsWith('#') ? (
          <a href={fix.href}>{fix.text}</a>
        ) : (
          <Link href={fix.href}>{fix.text}</Link>
        )
      ) : null}
    </span>
  );
}

/**
 * Billing coverage: what each customer uses against what ConnectWise bills, why they differ,
 * and the seats and amount not billed, as of the latest billing run.
 */
export function CoverageSection({
  status,
  changed,
}: {
  status: Status | undefined;
  /** Anything saved on this screen since it opened (settings): measured again. */
  changed: unknown;
}) {
  const { api, path } = usePartner();
  // Measured again when a run ends (the newest end time changes).
  const lastEnded = status?.workflow?.lastRuns
    .map((r) => r.endedAt)
    .sort()
    .at(-1);
  const [gapsOnly, setGapsOnly] = useState(true);
  const coverage = useLoad(
    () =>
      ok(
        api.GET('/partners/{partnerId}/connectwise/billing/coverage', {
          params: { path, query: { only: gapsOnly ? 'gaps' : 'all' } },
        }),
      ),
    [api, path, gapsOnly, lastEnded, changed],
  );
  const data = coverage.data;
  if (coverage.error) return <ErrorBanner error={coverage.error} />;
  if (!data) return <p>Measuring what is billed…</p>;
  const { totals } = data;
  const rows = data.customers.flatMap((c) => c.lines.map((line) => ({ c, line })));
  return (
    <>
      <p className="coverage-totals" data-testid="coverage-totals">
        <strong>{totals.unbilled}</strong> of {totals.inUse} seats in use are not billed
        {totals.unbilledAmount > 0 ? (
          <>
            {' '}
            (<strong>{money(totals.unbilledAmount)}</strong> a month at DefensX prices
            {totals.unpricedSeats > 0 ? `, ${totals.unpricedSeats} seats unpriced` : ''})
          </>
        ) : null}
        {totals.overBilled > 0 ? `; ${totals.overBilled} seats are billed beyond use` : ''}.{' '}
        {data.run ? (
          <>
            As of the billing run of <When at={data.run.startedAt} /> ({data.run.outcome}).
          </>
        ) : (
          'No billing run has reached ConnectWise yet.'
        )}
      </p>
      <Toggle label="Only what differs" checked={gapsOnly} onValue={setGapsOnly} />
      {rows.length === 0 ? (
        <p>{gapsOnly ? 'Every seat in use is billed.' : 'No seats in use or billed.'}</p>
      ) : (
        <TableWrap label="Billing coverage">
          <table className="coverage">
            <thead>
              <tr>
                <th>Customer</th>
                <th>Product</th>
                <th className="num">In use</th>
                <th className="num">Billed</th>
                <th className="num">Difference</th>
                <th className="num">Not billed / month</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ c, line }) => (
                <tr key={`${c.customerId}:${line.sku}`}>
                  <td>{c.name}</td>
                  <td>{line.name}</td>
                  <td className="num">{line.inUse}</td>
                  <td className="num">{line.billed}</td>
                  <td className="num">{line.difference}</td>
                  <td className="num">
                    {line.unbilledAmount === null ? '—' : money(line.unbilledAmount)}
                  </td>
                  <td>
                    <GapCell gap={line.gap} text={line.gap ? data.gaps[line.gap] : undefined} />
                    {line.gap && c.detail ? <div className="hint-inline">{c.detail}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
