import { useEffect, useState } from 'react';
import { ok } from '../../api/client';
import { ErrorBanner, SelectField, type Option } from '../../components/ui';
import { usePartner } from '../../partner';
import type { Agreement, CompanyMapping } from './types';

/** A company's agreements as the API judged them (eligible or not, and why), or why not known. */
export type CompanyAgreements =
  | { state: 'loading' }
  | { state: 'loaded'; agreements: Agreement[] }
  | { state: 'failed'; error: unknown };

/** Each company's agreements, read once per company (several customers may share one). */
export function useCompanyAgreements(companyIds: readonly number[]) {
  const { api, path } = usePartner();
  const [byCompany, setByCompany] = useState<Map<number, CompanyAgreements>>(new Map());
  const key = [...new Set(companyIds)].sort((a, b) => a - b).join(',');
  useEffect(() => {
    let live = true;
    const ids = key === '' ? [] : key.split(',').map(Number);
    setByCompany(new Map(ids.map((id) => [id, { state: 'loading' }])));
    for (const companyId of ids) {
      ok(
        api.GET('/partners/{partnerId}/connectwise/companies/{companyId}/agreements', {
          params: { path: { ...path, companyId } },
        }),
      ).then(
        (data) => update(companyId, { state: 'loaded', agreements: data.agreements }),
        (error: unknown) => update(companyId, { state: 'failed', error }),
      );
    }
    function update(companyId: number, value: CompanyAgreements) {
      if (!live) return;
      setByCompany((prev) => new Map(prev).set(companyId, value));
    }
    return () => {
      live = false;
    };
  }, [api, path, key]);
  return byCompany;
}

export interface CustomerRow {
  customerId: string;
  name: string;
  /** null: the customer is not mapped (its saved agreement choice cannot be used). */
  mapping: CompanyMapping | null;
}

/**
 * One customer's agreement: a select of its company's agreements, the ineligible ones (one-time,
 * cancelled, ended, not recurring…) disabled with the API's reason, and those reasons listed
 * below it as well, since a closed select does not show them.
 */
export function AgreementChoice({
  row,
  agreements,
  value,
  onValue,
  field,
  error,
}: {
  row: CustomerRow;
  agreements: CompanyAgreements | undefined;
  value: string;
  onValue: (value: string) => void;
  field?: string;
  error?: unknown;
}) {
  const company = row.mapping?.company;
  const companyText = row.mapping
    ? `${company?.name ?? row.mapping.companyName ?? 'Company'} (#${row.mapping.companyId})`
    : null;
  const list = agreements?.state === 'loaded' ? agreements.agreements : [];
  const options: Option[] = list.map((a) => ({
    value: String(a.id),
    label: a.eligible ? `${a.name} (#${a.id})` : `${a.name} (#${a.id}): not eligible: ${a.reason}`,
    disabled: !a.eligible,
  }));
  const chosen = list.find((a) => String(a.id) === value);
  if (value !== '' && !chosen) {
    // Still loading; or the saved choice is not among the company's agreements now (cancelled,
    // or another company's): kept selected, so Save names what is wrong with it.
    const note =
      agreements?.state === 'loaded'
        ? ' (not an agreement of this company now)'
        : agreements?.state === 'loading'
          ? ' (loading…)'
          : '';
    options.push({ value, label: `Agreement #${value}${note}` });
  }
  const ineligible = list.filter((a) => !a.eligible);
  const hint = chosen ? (
    <>
      <span className={chosen.eligible ? 'badge badge-ok' : 'badge badge-bad'}>
        {chosen.eligible ? 'Eligible' : 'Not eligible'}
      </span>{' '}
      {chosen.reason}
    </>
  ) : row.mapping ? (
    'No agreement chosen: this customer is not billed.'
  ) : (
    'This customer is not mapped to a ConnectWise company: map it on Company Mapping, or choose none.'
  );
  return (
    <div className="agreement-choice">
      <h3>{row.name}</h3>
      <p className="company">
        {companyText ? (
          <>
            ConnectWise company: <strong>{companyText}</strong>
            {row.mapping && !company ? (
              <span className="badge badge-bad">not found in ConnectWise</span>
            ) : null}
          </>
        ) : (
          <span className="badge badge-warn">Not mapped</span>
        )}
      </p>
      {agreements?.state === 'failed' ? <ErrorBanner error={agreements.error} /> : null}
      <SelectField
        label={`Agreement for ${row.name}`}
        field={field}
        error={error}
        hint={agreements?.state === 'loading' ? 'Loading agreements from ConnectWise…' : hint}
        options={options}
        empty="— none (not billed) —"
        value={value}
        onValue={onValue}
      />
      {ineligible.length > 0 ? (
        <div className="ineligible">
          <p>Cannot be chosen:</p>
          <ul>
            {ineligible.map((a) => (
              <li key={a.id}>
                <strong>
                  {a.name} (#{a.id})
                </strong>
                {a.type ? ` · ${a.type}` : ''}: {a.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
