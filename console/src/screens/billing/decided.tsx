import { StatusLine, When } from '../../components/ui';
import { CHOICE_TEXT } from './approval-answers';
import { RunLine } from './run-line';
import type { DecideAnswer, Names, Status } from './types';

/** The decisions just taken: who decided and when, and the run that writes the approved ones. */
export function Decided({
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
