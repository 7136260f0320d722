import { useEffect, useRef, useState } from 'react';
import { ok } from '../../api/client';
import { Pager, useCursorPages } from '../../components/paging';
import { Button, ErrorBanner, SelectField } from '../../components/ui';
import { usePartner } from '../../partner';
import { keyOf, notReady } from './approval-answers';
import { ApprovalCard } from './approval-card';
import { Decided } from './decided';
import type { Names, Status } from './types';
import { useDecide } from './use-decide';

/** Pending approvals per page (the API allows up to 200). */
const PAGE_SIZE = 20;

/**
 * Agreements held for a decision, one approval each (apply mode "approve", the safety valve, or
 * additions the engine does not own that may already bill a product): each with why, its seats
 * and operations, and for each candidate addition the partner's answer (adopt, keep separate,
 * cancel). A held agreement blocks nobody: other customers are written meanwhile. Approve or
 * Reject one, or every one of the page, by approvalId and planHash (all or nothing); a newer plan
 * answers 409 `superseded`, and the list is read again.
 */
export function Approvals({
  names,
  customers,
  approvalMode,
  status,
  onDecided,
}: {
  names: Names;
  /** The customers the filter offers. */
  customers: ReadonlyArray<{ customerId: string; name: string }>;
  approvalMode: boolean;
  status: Status | undefined;
  onDecided: () => void;
}) {
  const { api, path } = usePartner();
  const [customerId, setCustomerId] = useState('');
  const pages = useCursorPages(
    async (cursor) => {
      const page = await ok(
        api.GET('/partners/{partnerId}/connectwise/billing/approvals', {
          params: {
            path,
            query: {
              limit: PAGE_SIZE,
              ...(customerId ? { customerId } : {}),
              ...(cursor === undefined ? {} : { after: Number(cursor) }),
            },
          },
        }),
      );
      return { items: page.items, nextCursor: page.next === null ? null : String(page.next) };
    },
    [api, path, customerId],
  );
  const { reload } = pages;
  const { answers, answer, busy, error, problems, superseded, outcome, decide } = useDecide(
    reload,
    onDecided,
  );

  // A billing run that ends may have held agreements (or replaced a held plan): read again.
  const lastEnded = status?.workflow?.lastRuns
    .map((r) => r.endedAt)
    .sort()
    .at(-1);
  const seen = useRef(lastEnded);
  useEffect(() => {
    if (lastEnded === seen.current) return;
    seen.current = lastEnded;
    void reload();
  }, [lastEnded, reload]);

  const items = pages.items ?? [];
  const waiting = items.filter((a) => notReady(a, answers) !== undefined).length;
  return (
    <div className="approvals">
      <p className="hint">
        An agreement whose plan needs a person waits here, one approval per agreement, and blocks
        nobody: every other customer is written meanwhile. A later run plans it again and replaces
        the plan shown here when ConnectWise or the usage changed.
        {approvalMode
          ? ' Apply mode is "approve": every changed agreement waits here before it is written.'
          : ''}
      </p>
      <div className="approval-filter">
        <SelectField
          label="Customer"
          empty="All customers"
          options={customers.map((c) => ({ value: c.customerId, label: c.name }))}
          value={customerId}
          onValue={setCustomerId}
        />
      </div>
      <ErrorBanner error={pages.error} />
      {superseded !== undefined ? (
        <div className="banner banner-warn" role="alert">
          Nothing was decided: a newer plan replaced{' '}
          {superseded === 1 ? 'one of these approvals' : `${superseded} of these approvals`} (or it
          was decided or expired meanwhile). The list below is read again: review the current plans
          and decide again.
        </div>
      ) : null}
      <ErrorBanner error={error} />
      {outcome ? <Decided outcome={outcome} names={names} status={status} /> : null}
      {pages.items === undefined ? (
        pages.error ? null : (
          <p>Reading the pending approvals…</p>
        )
      ) : items.length === 0 ? (
        <p>
          {customerId
            ? 'No agreement of this customer is waiting for a decision.'
            : 'No agreement is waiting for a decision.'}
        </p>
      ) : (
        <>
          {items.length > 1 ? (
            <div className="actions">
              <Button
                kind="primary"
                busy={busy === 'approve-all'}
                disabled={busy !== undefined || waiting > 0}
                onClick={() => void decide(items, 'approve', 'approve-all')}
              >
                Approve all
              </Button>
              <Button
                kind="danger"
                busy={busy === 'reject-all'}
                disabled={busy !== undefined}
                onClick={() => void decide(items, 'reject', 'reject-all')}
              >
                Reject all
              </Button>
              <span className="hint">
                {waiting > 0
                  ? `Approve all needs every candidate answered: ${waiting} approval${waiting === 1 ? '' : 's'} on this page still ${waiting === 1 ? 'has' : 'have'} a question.`
                  : `The ${items.length} approvals on this page, all or none.`}
              </span>
            </div>
          ) : null}
          {items.map((a) => (
            <ApprovalCard
              key={keyOf(a)}
              approval={a}
              names={names}
              answers={answers[keyOf(a)] ?? {}}
              onAnswer={(additionId, d) => answer(a, additionId, d)}
              problem={problems[a.approvalId]}
              busy={busy}
              onDecide={(d) => void decide([a], d, `${d}:${a.approvalId}`)}
            />
          ))}
          <Pager pages={pages} what="pending approvals" />
        </>
      )}
    </div>
  );
}
