import { useEffect, useRef } from 'react';
import { ok } from '../../api/client';
import { Pager, useCursorPages } from '../../components/paging';
import { TableWrap } from '../../components/table-wrap';
import { Button, ErrorBanner } from '../../components/ui';
import { usePartner } from '../../partner';
import { RunBody } from './run-body';
import type { RunDetailAnswer } from './runs';

/** One run opened from the history: its facts and results, and its billing changes page by page. */
export function RunDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { api, path } = usePartner();
  const pages = useCursorPages(
    async (cursor) => {
      const data = await ok(
        api.GET('/partners/{partnerId}/connectwise/sync-runs/{id}', {
          params: {
            path: { ...path, id },
            query: { pageSize: 20, ...(cursor ? { cursor } : {}) },
          },
        }),
      );
      return { ...data, items: data.changes };
    },
    [api, path.partnerId, id],
  );
  const heading = useRef<HTMLHeadingElement>(null);
  const detail: RunDetailAnswer | undefined = pages.last;
  const loadedOnce = detail !== undefined;
  useEffect(() => {
    if (loadedOnce) heading.current?.focus();
  }, [loadedOnce]);

  return (
    <section aria-labelledby="run-title" className="run-detail">
      <h2 id="run-title" ref={heading} tabIndex={-1}>
        Run details
      </h2>
      <ErrorBanner error={pages.error} />
      {!detail ? <p role="status">Loading the run…</p> : <RunBody detail={detail} />}
      {detail ? (
        <>
          <h3>Billing changes</h3>
          {detail.changes.length === 0 ? (
            <p>This run changed no agreement addition.</p>
          ) : (
            <TableWrap label="The run's billing changes">
              <table>
                <caption className="visually-hidden">The run&apos;s billing changes</caption>
                <thead>
                  <tr>
                    <th scope="col">Customer</th>
                    <th scope="col">Agreement</th>
                    <th scope="col">Product</th>
                    <th scope="col">Action</th>
                    <th scope="col">Quantity</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.changes.map((c, i) => (
                    <tr key={`${c.agreementId}:${c.sku}:${c.at}:${i}`}>
                      <td>{c.customerId}</td>
                      <td>{c.agreementId}</td>
                      <td>{c.sku}</td>
                      <td>{c.action}</td>
                      <td>
                        {c.from ? c.from.quantity : '—'} → {c.to ? c.to.quantity : '—'}
                      </td>
                      <td>{c.outcome}</td>
                      <td>{c.message ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <Pager pages={pages} what="billing changes" />
        </>
      ) : null}
      <div className="actions">
        <Button onClick={onClose}>Close the run</Button>
      </div>
    </section>
  );
}
