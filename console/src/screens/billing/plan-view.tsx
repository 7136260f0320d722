import { TableWrap } from '../../components/table-wrap';
import type { Names, Plan, PlanAgreement, PlanOperation } from './types';

/**
 * Each action as the plan shows it. A release is an addition the engine billed that nothing backs
 * any more (moved, unmapped, excluded, billing off…), handled by the zero-usage policy; forget
 * drops from the engine's ledger an addition gone from ConnectWise; left is a released addition
 * kept open (policy "leave"); a candidate is an addition the engine does not own that may already
 * bill the product, waiting for the partner's answer (adopt, keep separate or cancel).
 */
export const ACTION_TEXT: Record<PlanOperation['action'], { label: string; badge: string }> = {
  create: { label: 'Create', badge: 'badge-ok' },
  update: { label: 'Update', badge: 'badge-ok' },
  adopt: { label: 'Adopt', badge: 'badge-muted' },
  cancel: { label: 'Cancel', badge: 'badge-warn' },
  release: { label: 'Release', badge: 'badge-warn' },
  forget: { label: 'Forget', badge: 'badge-muted' },
  left: { label: 'Left open', badge: 'badge-muted' },
  candidate: { label: 'Candidate', badge: 'badge-warn' },
  conflict: { label: 'Conflict', badge: 'badge-bad' },
  skip: { label: 'Skip', badge: 'badge-muted' },
};

/** The totals' columns, in the order the plan's table shows them. */
const TOTAL_COLUMNS = [
  'create',
  'update',
  'adopt',
  'cancel',
  'release',
  'forget',
  'left',
  'candidate',
  'conflict',
  'skip',
] as const satisfies ReadonlyArray<PlanOperation['action'] & keyof Plan['totals']>;

type Values = PlanOperation['from'];

/** What the plan's notes explain when it has them. */
const NOTES: Partial<Record<PlanOperation['action'], string>> = {
  release:
    'an addition the engine billed that nothing backs any more (customer moved, unmapped or excluded, agreement or catalog item changed, billing off): handled by the zero-usage policy, as its reason says.',
  left: 'a released addition kept open (zero-usage policy "leave"), listed in every run.',
  forget: 'an addition the engine billed that is gone from ConnectWise: dropped from its ledger.',
  candidate:
    'an addition the engine did not make that may already bill the product: the agreement waits in Pending approvals until you adopt it, keep it separate or cancel it.',
};

/** An addition's values: the quantity, and price and cost when the plan sets them. */
function ValuesText({ values }: { values: Values }) {
  if (!values) return <span aria-label="none">—</span>;
  const money = [
    values.unitPrice === undefined ? '' : `price ${values.unitPrice}`,
    values.unitCost === undefined ? '' : `cost ${values.unitCost}`,
  ].filter(Boolean);
  return (
    <>
      <strong>{values.quantity}</strong>
      {money.length ? <span className="hint-inline"> ({money.join(', ')})</span> : null}
    </>
  );
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');

/**
 * A billing plan exactly as the API gives it: totals, warnings, per customer and agreement each
 * operation (action, sku, addition id, from → to, effective date, reason), skipped customers, and
 * its planHash. Used by the preview (a held agreement's own plan is in Pending approvals).
 */
export function PlanView({
  plan,
  names,
  headingLevel = 3,
}: {
  plan: Plan;
  names: Names;
  headingLevel?: 3 | 4;
}) {
  const t = plan.totals;
  return (
    <div className="plan">
      <p className="plan-meta">
        Billing day <strong>{plan.today}</strong> · plan <code>{plan.planHash}</code>
      </p>
      <TableWrap label="Totals">
        <table className="totals">
          <caption>Totals</caption>
          <thead>
            <tr>
              <th scope="col">Agreements</th>
              {TOTAL_COLUMNS.map((c) => (
                <th scope="col" key={c}>
                  {ACTION_TEXT[c].label}
                </th>
              ))}
              <th scope="col">Held</th>
              <th scope="col">Seats before → after</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{t.agreements}</td>
              {TOTAL_COLUMNS.map((c) => (
                <td key={c}>{t[c]}</td>
              ))}
              <td>{t.held}</td>
              <td>
                {t.seatsBefore} → {t.seatsAfter}
              </td>
            </tr>
          </tbody>
        </table>
      </TableWrap>
      <ActionNotes plan={plan} />
      {plan.warnings.length > 0 ? (
        <div className="banner banner-warn">
          <p className="banner-title">Warnings</p>
          <ul>
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {plan.agreements.length === 0 ? (
        <p>Nothing to write: every agreement is as the usage says.</p>
      ) : (
        plan.agreements.map((a) => (
          <AgreementPlan
            key={a.agreementId}
            agreement={a}
            names={names}
            headingLevel={headingLevel}
          />
        ))
      )}
      {plan.unchanged > 0 ? (
        <p className="hint">
          {plan.unchanged} agreement{plan.unchanged === 1 ? '' : 's'} unchanged.
        </p>
      ) : null}
      {plan.skipped.length > 0 ? (
        <>
          <p className="banner-title">Skipped customers</p>
          <ul className="skipped">
            {plan.skipped.map((s) => (
              <li key={`${s.customerId}:${s.agreementId ?? ''}`}>
                <strong>{names.customer(s.customerId)}</strong>
                {s.agreementId !== null ? ` (agreement #${s.agreementId})` : ''}: {s.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** What the plan's less obvious actions mean, for those it has. */
function ActionNotes({ plan }: { plan: Plan }) {
  const present = new Set(plan.agreements.flatMap((a) => a.operations.map((op) => op.action)));
  const notes = Object.entries(NOTES).filter(([action]) =>
    present.has(action as PlanOperation['action']),
  );
  if (notes.length === 0) return null;
  return (
    <ul className="action-notes hint">
      {notes.map(([action, text]) => (
        <li key={action}>
          <strong>{ACTION_TEXT[action as PlanOperation['action']].label}</strong>: {text}
        </li>
      ))}
    </ul>
  );
}

function AgreementPlan({
  agreement: a,
  names,
  headingLevel,
}: {
  agreement: PlanAgreement;
  names: Names;
  headingLevel: 3 | 4;
}) {
  const H = headingLevel === 3 ? 'h3' : 'h4';
  const agreementName = names.agreement(a.agreementId);
  const companyName = names.company(a.companyId);
  const title = `${names.customer(a.customerId)}: ${agreementName ?? 'agreement'} (#${a.agreementId})`;
  return (
    <section className="agreement-plan" aria-label={title}>
      <H>{title}</H>
      <p className="hint">
        {companyName ?? 'Company'} (#{a.companyId}) · seats {a.seats.before} → {a.seats.after}
        {a.hold ? (
          <>
            {' '}
            · <span className="badge badge-warn">held</span> {a.hold}
          </>
        ) : null}
      </p>
      <OperationsTable operations={a.operations} agreementId={a.agreementId} />
    </section>
  );
}

/**
 * One agreement's operations: action, sku, addition, from → to, the date the write carries, and
 * why (a release says what it does, a candidate what it bills and what the partner can answer).
 */
export function OperationsTable({
  operations,
  agreementId,
}: {
  operations: readonly PlanOperation[];
  agreementId: number;
}) {
  return (
    <TableWrap label={`Operations for agreement #${agreementId}`}>
      <table className="operations">
        <caption className="visually-hidden">Operations for agreement #{agreementId}</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">SKU</th>
            <th scope="col">Addition</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Effective date</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {operations.map((op, i) => (
            <tr key={`${op.sku}:${op.additionId ?? 'new'}:${i}`}>
              <td>
                <span className={`badge ${ACTION_TEXT[op.action].badge}`}>
                  {ACTION_TEXT[op.action].label}
                </span>
              </td>
              <td>{op.sku}</td>
              <td>{op.additionId === null ? 'new' : `#${op.additionId}`}</td>
              <td>
                <ValuesText values={op.from} />
              </td>
              <td>
                <ValuesText values={op.to} />
              </td>
              <td>{day(op.effectiveDate)}</td>
              <td>{op.reason ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
