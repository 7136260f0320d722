import { useEffect, useId, useRef, useState } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Pager, useCursorPages } from '../../components/paging';
import { Button, ErrorBanner, SelectField, StatusLine, When } from '../../components/ui';
import { usePartner } from '../../partner';
import { OperationsTable } from './plan-view';
import { RunLine } from './run-line';
import type {
  Approval,
  CandidateDecision,
  DecideAnswer,
  DecideBody,
  Names,
  PlanOperation,
  Status,
} from './types';

/** Pending approvals per page (the API allows up to 200). */
const PAGE_SIZE = 20;

const CHOICES: Array<{ value: CandidateDecision; label: string }> = [
  {
    value: 'adopt',
    label: 'Adopt: the engine takes this addition over and sets its quantity',
  },
  {
    value: 'keep_separate',
    label: "Keep separate: bill the engine's own addition beside it (never asked again)",
  },
  {
    value: 'cancel',
    label: 'Cancel: cancel this addition at the period end; the engine bills its own',
  },
];

const CHOICE_TEXT: Record<CandidateDecision, string> = {
  adopt: 'adopt',
  keep_separate: 'keep separate',
  cancel: 'cancel',
};

/** The candidate operations of a held plan: additions the engine does not own, to decide on. */
const candidatesOf = (a: Approval) =>
  a.operations.filter(
    (op): op is PlanOperation & { additionId: number } =>
      op.action === 'candidate' && op.additionId !== null,
  );

/** Answers are kept per plan: a newer plan for the agreement asks again. */
const keyOf = (a: Approval) => `${a.approvalId}:${a.planHash}`;

type Answers = Record<string, Record<number, CandidateDecision>>;

/** Why this approval cannot be approved as answered, if it cannot. */
function notReady(a: Approval, answers: Answers): string | undefined {
  const given = answers[keyOf(a)] ?? {};
  const candidates = candidatesOf(a);
  const open = candidates.filter((op) => given[op.additionId] === undefined).length;
  if (open > 0)
    return `Answer ${open === 1 ? 'the candidate addition' : `all ${open} candidate additions`} to approve.`;
  const adopted = candidates.filter((op) => given[op.additionId] === 'adopt').map((op) => op.sku);
  const twice = adopted.find((sku, i) => adopted.indexOf(sku) !== i);
  if (twice)
    return `Adopt at most one addition for ${twice}: the engine keeps one addition per product.`;
  return undefined;
}

/** The 409 `superseded` body: the approvals as they are now. */
const supersededOf = (err: unknown): Approval[] | undefined =>
  err instanceof ApiError && err.code === 'superseded'
    ? ((err.body as { error?: { current?: Approval[] } } | undefined)?.error?.current ?? [])
    : undefined;

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
  const [answers, setAnswers] = useState<Answers>({});
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [superseded, setSuperseded] = useState<number>();
  const [outcome, setOutcome] = useState<DecideAnswer>();

  // A billing run that ends may have held agreements (or replaced a held plan): read again.
  const { reload } = pages;
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
  const answer = (a: Approval, additionId: number, decision: CandidateDecision) =>
    setAnswers((all) => ({ ...all, [keyOf(a)]: { ...all[keyOf(a)], [additionId]: decision } }));

  async function decide(list: Approval[], decision: 'approve' | 'reject', what: string) {
    setBusy(what);
    setError(undefined);
    setProblems({});
    setSuperseded(undefined);
    setOutcome(undefined);
    const body: DecideBody = {
      decisions: list.map((a) => {
        const given = answers[keyOf(a)] ?? {};
        const candidates = candidatesOf(a);
        return {
          approvalId: a.approvalId,
          planHash: a.planHash,
          decision,
          ...(decision === 'approve' && candidates.length > 0
            ? {
                candidates: candidates.map((op) => ({
                  additionId: op.additionId,
                  decision: given[op.additionId] as CandidateDecision,
                })),
              }
            : {}),
        };
      }),
    };
    try {
      setOutcome(
        await ok(
          api.POST('/partners/{partnerId}/connectwise/billing/approvals/decide', {
            params: { path },
            body,
          }),
        ),
      );
      onDecided();
      await reload();
    } catch (err) {
      const current = supersededOf(err);
      if (current) {
        setSuperseded(current.length);
        await reload();
      } else if (err instanceof ApiError && err.fields.length > 0) {
        // A refused decision is named by its index: shown at its approval.
        const at: Record<string, string> = {};
        const rest = err.fields.filter((f) => {
          const i = /^body\.decisions\.(\d+)(\.|$)/.exec(f.field)?.[1];
          const a = i === undefined ? undefined : list[Number(i)];
          if (!a) return true;
          at[a.approvalId] = at[a.approvalId] ? `${at[a.approvalId]}; ${f.message}` : f.message;
          return false;
        });
        setProblems(at);
        if (rest.length > 0 || Object.keys(at).length === 0) setError(err);
        else setError(undefined);
      } else setError(err);
    } finally {
      setBusy(undefined);
    }
  }

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

/** The decisions just taken: who decided and when, and the run that writes the approved ones. */
function Decided({
  outcome,
  names,
  status,
}: {
  outcome: DecideAnswer;
  names: Names;
  status: Status | undefined;
}) {
  const approved = outcome.decided.filter((d) => d.status !== 'rejected').length;
  const rejected = outcome.decided.length - approved;
  const count = (n: number) => `${n} agreement${n === 1 ? '' : 's'}`;
  return (
    <div className="decided">
      <StatusLine>
        {[
          approved > 0
            ? `Approved ${count(approved)}: a run was queued that writes ${approved === 1 ? 'it' : 'them'}.`
            : '',
          rejected > 0
            ? `Rejected ${count(rejected)}: nothing of ${rejected === 1 ? 'it' : 'them'} is written; asked again once ConnectWise or the usage changes the plan.`
            : '',
        ]
          .filter(Boolean)
          .join(' ')}
      </StatusLine>
      <ul aria-label="Decisions taken">
        {outcome.decided.map((d) => (
          <li key={d.approvalId}>
            <span className={`badge ${d.status === 'rejected' ? 'badge-muted' : 'badge-ok'}`}>
              {d.status}
            </span>{' '}
            {names.customer(d.customerId)}: {names.agreement(d.agreementId) ?? 'agreement'} (#
            {d.agreementId}) by <strong>{d.decidedBy ?? 'unknown'}</strong>
            {d.decidedAt ? (
              <>
                {' '}
                at <When at={d.decidedAt} />
              </>
            ) : null}
            {d.candidates.length > 0
              ? ` · ${d.candidates.map((c) => `addition #${c.additionId}: ${CHOICE_TEXT[c.decision]}`).join(', ')}`
              : ''}
          </li>
        ))}
      </ul>
      {outcome.runWorkflowId ? (
        <RunLine status={status} runWorkflowId={outcome.runWorkflowId} />
      ) : null}
    </div>
  );
}

function ApprovalCard({
  approval: a,
  names,
  answers,
  onAnswer,
  problem,
  busy,
  onDecide,
}: {
  approval: Approval;
  names: Names;
  answers: Record<number, CandidateDecision>;
  onAnswer: (additionId: number, decision: CandidateDecision) => void;
  problem: string | undefined;
  busy: string | undefined;
  onDecide: (decision: 'approve' | 'reject') => void;
}) {
  const id = useId();
  const title = `${names.customer(a.customerId) || 'No customer'}: ${names.agreement(a.agreementId) ?? 'agreement'} (#${a.agreementId})`;
  const blocked = notReady(a, { [keyOf(a)]: answers });
  const candidates = candidatesOf(a);
  return (
    <section className="approval" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p className="hint">
        <span className="badge badge-warn">waiting for a decision</span>{' '}
        {names.company(a.companyId) ?? 'Company'} (#{a.companyId}) · seats {a.seats.before} →{' '}
        {a.seats.after} · held <When at={a.createdAt} /> · expires <When at={a.expiresAt} /> (then
        dropped, nothing written)
      </p>
      {a.reasons.length > 0 ? (
        <ul className="reasons" aria-label={`Why agreement #${a.agreementId} is held`}>
          {a.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      <OperationsTable operations={a.operations} agreementId={a.agreementId} />
      {candidates.map((op) => (
        <fieldset key={op.additionId} className="candidate">
          <legend>
            Addition #{op.additionId} may already bill {op.sku}
          </legend>
          {op.reason ? <p className="hint">{op.reason}</p> : null}
          <div className="choices">
            {CHOICES.map((c) => (
              <label key={c.value} className="choice">
                <input
                  type="radio"
                  name={`${id}-candidate-${op.additionId}`}
                  value={c.value}
                  checked={answers[op.additionId] === c.value}
                  onChange={() => onAnswer(op.additionId, c.value)}
                />{' '}
                {c.label}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="actions">
        <Button
          kind="primary"
          busy={busy === `approve:${a.approvalId}`}
          disabled={busy !== undefined || blocked !== undefined}
          aria-describedby={blocked ? `${id}-blocked` : undefined}
          onClick={() => onDecide('approve')}
        >
          Approve
        </Button>
        <Button
          kind="danger"
          busy={busy === `reject:${a.approvalId}`}
          disabled={busy !== undefined}
          onClick={() => onDecide('reject')}
        >
          Reject
        </Button>
        {blocked ? (
          <span className="hint" id={`${id}-blocked`}>
            {blocked}
          </span>
        ) : null}
      </div>
    </section>
  );
}
