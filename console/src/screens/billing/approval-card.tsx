import { useId } from 'react';
import { Button, When } from '../../components/ui';
import { CHOICES, candidatesOf, keyOf, notReady } from './approval-answers';
import { OperationsTable } from './plan-view';
import type { Approval, CandidateDecision, Names } from './types';

/** One held agreement: why, its seats and operations, a question per candidate, Approve / Reject. */
export function ApprovalCard({
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
