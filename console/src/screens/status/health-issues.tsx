import { useState } from 'react';
import { ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Pager, useCursorPages } from '../../components/paging';
import { ErrorBanner, SelectField, When } from '../../components/ui';
import { TableWrap } from '../../components/table-wrap';
import { usePartner } from '../../partner';

type Answer =
  paths['/partners/{partnerId}/connectwise/health-issues']['get']['responses'][200]['content']['application/json'];
export type HealthIssue = Answer['issues'][number];
type State = HealthIssue['state'];

/** How each kind of issue is named on screen. */
export const KIND_LABELS: Record<HealthIssue['kind'], string> = {
  credentials_rejected: 'API keys rejected',
  role_line_missing: 'Permission missing',
  company_deleted: 'Company deleted',
  company_renamed: 'Company renamed',
  agreement_ineligible: 'Agreement not billable',
  ticket_setting_unusable: 'Ticket setting unusable',
  callback_missing: 'Ticket callback missing',
  callback_unverified: 'Ticket callbacks not verified',
  catalog_item_unusable: 'Catalog item unusable',
  addition_conflict: 'Addition conflict',
  candidate_waiting: 'Addition waiting for a decision',
  approval_overdue: 'Approval overdue',
  usage_stale: 'Usage missing or stale',
  throttled: 'ConnectWise throttling',
  events_held: 'Events held',
  events_expired: 'Events expired',
};

const STATES: Array<{ value: State | ''; label: string }> = [
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: '', label: 'All' },
];

/** How each kind of object is named on screen. */
const OBJECT_LABELS: Record<HealthIssue['object']['type'], string> = {
  integration: 'The integration',
  customer: 'Customer',
  agreement: 'Agreement',
  company: 'Company',
  board: 'Board',
  status: 'Status',
  source: 'Source',
  callback: 'Callback',
  sku: 'Product',
  addition: 'Addition',
  role_line: 'Role line',
};

const objectText = (o: HealthIssue['object']) =>
  o.type === 'integration'
    ? OBJECT_LABELS.integration
    : o.type === 'board' && o.id === 'ticket-settings'
      ? 'The ticket settings'
      : o.type === 'callback'
        ? 'The ticket callback'
        : `${OBJECT_LABELS[o.type]} ${o.name ?? o.id}`;

/**
 * The integration's health issues: what is wrong and how to fix it, found and resolved by the
 * engine's own checks (runs, validations, ticket steps). Read again when `after` (the run the
 * screen followed) changes.
 */
export function HealthIssues({ after }: { after?: string }) {
  const { api, path } = usePartner();
  const [state, setState] = useState<State | ''>('open');
  const pages = useCursorPages(
    async (cursor) => {
      const answer = await ok(
        api.GET('/partners/{partnerId}/connectwise/health-issues', {
          params: { path, query: { ...(state ? { state } : {}), pageSize: 20, cursor } },
        }),
      );
      return { items: answer.issues, nextCursor: answer.nextCursor };
    },
    [api, path.partnerId, state, after],
  );
  return (
    <section aria-labelledby="health-issues-title" className="health-issues">
      <h2 id="health-issues-title">Health issues</h2>
      <SelectField
        label="Show"
        field="healthState"
        value={state}
        options={STATES}
        onValue={(v) => setState(v as State | '')}
      />
      <ErrorBanner error={pages.error} />
      {pages.items === undefined ? (
        <p role="status">Loading the health issues…</p>
      ) : pages.items.length === 0 ? (
        <p role="status">
          {state === 'open' ? 'No open issues: nothing needs your attention.' : 'No issues.'}
        </p>
      ) : (
        <TableWrap label="Health issue list">
          <table>
            <thead>
              <tr>
                <th scope="col">Issue</th>
                <th scope="col">About</th>
                <th scope="col">What is wrong, and the fix</th>
                <th scope="col">Seen</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((issue) => (
                <tr key={issue.id}>
                  <td>{KIND_LABELS[issue.kind]}</td>
                  <td>{objectText(issue.object)}</td>
                  <td>
                    <p>{issue.message}</p>
                    <p className="fix">Fix: {issue.fix}</p>
                  </td>
                  <td>
                    since <When at={issue.firstSeen} />, last <When at={issue.lastSeen} /> (
                    {issue.occurrences}×)
                  </td>
                  <td>
                    {issue.state === 'open' ? (
                      <span className="badge badge-bad">Open</span>
                    ) : (
                      <span className="badge badge-ok">
                        Resolved <When at={issue.resolvedAt} />
                        {issue.resolvedBy ? ` by ${issue.resolvedBy}` : ''}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager pages={pages} what="health issues" />
    </section>
  );
}
