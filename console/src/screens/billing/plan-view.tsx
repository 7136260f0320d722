import { TableWrap } from '../../components/table-wrap';
import type { Names, Plan, PlanAgreement, PlanOperation } from './types';

const ACTION_TEXT: Record<PlanOperation['action'], { label: string; badge: string }> = {
  create: { label: 'Create', badge: 'badge-ok' },
  update: { label: 'Update', badge: 'badge-ok' },
  adopt: { label: 'Adopt', badge: 'badge-muted' },
  cancel: { label: 'Cancel', badge: 'badge-warn' },
  conflict: { label: 'Conflict', badge: 'badge-bad' },
  skip: { label: 'Skip', badge: 'badge-muted' },
};

type Values = PlanOperation['from'];

const WRITES = new Set<PlanOperation['action']>(['create', 'update', 'adopt', 'cancel']);

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
 * its planHash. Used by the preview and by a run's held plan.
 */
export function PlanView({
  plan,
  names,
  heldWhy,
  headingLevel = 3,
}: {
  plan: Plan;
  names: Names;
  /** Why an agreement without a hold of its own is held (approval mode). */
  heldWhy?: string;
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
              <th scope="col">Create</th>
              <th scope="col">Update</th>
              <th scope="col">Adopt</th>
              <th scope="col">Cancel</th>
              <th scope="col">Conflict</th>
              <th scope="col">Skip</th>
              <th scope="col">Held</th>
              <th scope="col">Seats before → after</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{t.agreements}</td>
              <td>{t.create}</td>
              <td>{t.update}</td>
              <td>{t.adopt}</td>
              <td>{t.cancel}</td>
              <td>{t.conflict}</td>
              <td>{t.skip}</td>
              <td>{t.held}</td>
              <td>
                {t.seatsBefore} → {t.seatsAfter}
              </td>
            </tr>
          </tbody>
        </table>
      </TableWrap>
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
            heldWhy={heldWhy}
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

function AgreementPlan({
  agreement: a,
  names,
  heldWhy,
  headingLevel,
}: {
  agreement: PlanAgreement;
  names: Names;
  heldWhy: string | undefined;
  headingLevel: 3 | 4;
}) {
  const H = headingLevel === 3 ? 'h3' : 'h4';
  const agreementName = names.agreement(a.agreementId);
  const companyName = names.company(a.companyId);
  const title = `${names.customer(a.customerId)}: ${agreementName ?? 'agreement'} (#${a.agreementId})`;
  const writes = a.operations.some((op) => WRITES.has(op.action));
  const hold = a.hold ?? (writes ? heldWhy : undefined);
  return (
    <section className="agreement-plan" aria-label={title}>
      <H>{title}</H>
      <p className="hint">
        {companyName ?? 'Company'} (#{a.companyId}) · seats {a.seats.before} → {a.seats.after}
        {hold ? (
          <>
            {' '}
            · <span className="badge badge-warn">held</span> {hold}
          </>
        ) : null}
      </p>
      <TableWrap label={`Operations for agreement #${a.agreementId}`}>
        <table className="operations">
          <caption className="visually-hidden">Operations for agreement #{a.agreementId}</caption>
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
            {a.operations.map((op, i) => (
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
    </section>
  );
}
