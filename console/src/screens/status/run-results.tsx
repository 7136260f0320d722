import { useState } from 'react';
import { ok } from '../../api/client';
import { TableWrap } from '../../components/table-wrap';
import { Button, ErrorBanner } from '../../components/ui';
import { usePartner } from '../../partner';
import type { RunDetailAnswer } from './runs';

/** A run's results: the detail's first page, then the next ones on request. */
function useMoreResults(detail: RunDetailAnswer) {
  const { api, path } = usePartner();
  const [extra, setExtra] = useState<{
    results: RunDetailAnswer['results'];
    next: string | null;
  }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const next = extra ? extra.next : detail.resultsNextCursor;
  const loadMore = () => {
    if (next === null) return;
    setLoadingMore(true);
    setMoreError(undefined);
    ok(
      api.GET('/partners/{partnerId}/connectwise/sync-runs/{id}/results', {
        params: { path: { ...path, id: detail.run.id }, query: { cursor: next } },
      }),
    )
      .then((page) =>
        setExtra((had) => ({
          results: [...(had?.results ?? []), ...page.results],
          next: page.nextCursor,
        })),
      )
      .catch(setMoreError)
      .finally(() => setLoadingMore(false));
  };
  return {
    results: [...detail.results, ...(extra?.results ?? [])],
    more: next !== null,
    loadMore,
    loadingMore,
    moreError,
  };
}

/** Each customer's result in a run, with "Show more customers" while the API has more. */
export function RunResults({ detail }: { detail: RunDetailAnswer }) {
  const { results, more, loadMore, loadingMore, moreError } = useMoreResults(detail);
  return results.length > 0 ? (
    <>
      <h3>Customers</h3>
      <TableWrap label="Each customer's result in this run">
        <table>
          <caption className="visually-hidden">Each customer&apos;s result in this run</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Agreement</th>
              <th scope="col">Outcome</th>
              <th scope="col">Counts</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={`${r.customerId}:${r.agreementId ?? ''}`}>
                <td>{r.customerId}</td>
                <td>{r.agreementId ?? '—'}</td>
                <td>{r.outcome}</td>
                <td>
                  {Object.entries(r.counts)
                    .filter(([, n]) => n > 0)
                    .map(([k, n]) => `${k} ${n}`)
                    .join(', ') || '—'}
                </td>
                <td>{r.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <ErrorBanner error={moreError} />
      {more ? (
        <div className="actions">
          <Button onClick={loadMore} busy={loadingMore}>
            Show more customers
          </Button>
        </div>
      ) : null}
    </>
  ) : null;
}
