import { useState } from 'react';
import { ok } from '../../api/client';
import { Pager, useCursorPages } from '../../components/paging';
import { TableWrap } from '../../components/table-wrap';
import { Button, ErrorBanner, SelectField, When, type Option } from '../../components/ui';
import { usePartner } from '../../partner';
import {
  KINDS,
  OUTCOME_BADGE,
  OUTCOMES,
  TRIGGERS,
  labelOf,
  type Kind,
  type Outcome,
  type RunsQuery,
  type Trigger,
} from './runs';

interface Filters {
  kind: Kind | '';
  trigger: Trigger | '';
  outcome: Outcome | '';
}

/** Rows per page of the history: `?pageSize=` in the address (1 to 200), else 10. */
function historyPageSize(): number {
  const asked = Number(new URLSearchParams(window.location.search).get('pageSize'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 200 ? asked : 10;
}

/** The history's filters and its pages of sync runs, newest first. */
export function useHistory() {
  const { api, path } = usePartner();
  const [filters, setFilters] = useState<Filters>({ kind: '', trigger: '', outcome: '' });
  const pageSize = historyPageSize();
  const pages = useCursorPages(
    async (cursor) => {
      const query: RunsQuery = { pageSize };
      if (filters.kind) query.kind = filters.kind;
      if (filters.trigger) query.trigger = filters.trigger;
      if (filters.outcome) query.outcome = filters.outcome;
      if (cursor) query.cursor = cursor;
      const data = await ok(
        api.GET('/partners/{partnerId}/connectwise/sync-runs', { params: { path, query } }),
      );
      return { items: data.runs, nextCursor: data.nextCursor };
    },
    [api, path.partnerId, filters, pageSize],
  );
  return { ...pages, filters, setFilters };
}

/** The history of sync runs: filters, a page of runs, each one's Open button, and the pager. */
export function History({
  history,
  onOpen,
}: {
  history: ReturnType<typeof useHistory>;
  onOpen: (id: string) => void;
}) {
  const { filters, setFilters } = history;
  const filter = (name: keyof Filters, label: string, options: Option[]) => (
    <SelectField
      label={label}
      value={filters[name]}
      empty="All"
      options={options}
      onValue={(value) => setFilters({ ...filters, [name]: value })}
    />
  );
  const runs = history.items;
  return (
    <section aria-labelledby="history-title" className="sync-history">
      <h2 id="history-title">History</h2>
      <div className="filters">
        {filter('kind', 'Kind', KINDS)}
        {filter('trigger', 'Trigger', TRIGGERS)}
        {filter('outcome', 'Outcome', OUTCOMES)}
        <Button onClick={() => void history.reload()} busy={history.loading}>
          Refresh
        </Button>
      </div>
      <ErrorBanner error={history.error} />
      {runs && runs.length === 0 ? <p>No runs yet.</p> : null}
      {runs && runs.length > 0 ? (
        <TableWrap label="Synchronization runs, newest first">
          <table>
            <caption className="visually-hidden">Synchronization runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Kind</th>
                <th scope="col">Trigger</th>
                <th scope="col">Outcome</th>
                <th scope="col">Summary</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} data-run-id={run.id}>
                  <td>
                    <When at={run.startedAt} />
                  </td>
                  <td>{labelOf(KINDS, run.kind)}</td>
                  <td>{labelOf(TRIGGERS, run.trigger)}</td>
                  <td>
                    <span className={`badge ${OUTCOME_BADGE[run.outcome]}`}>
                      {labelOf(OUTCOMES, run.outcome)}
                    </span>
                  </td>
                  <td>{run.summary ?? '—'}</td>
                  <td>
                    <Button onClick={() => onOpen(run.id)}>
                      Open<span className="visually-hidden"> the run of {run.startedAt}</span>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <Pager pages={history} what="runs" />
    </section>
  );
}
