import { useId, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { companyMappings, ok } from '../api/client';
import { ApiError } from '../api/errors';
import type { paths } from '../api/schema';
import { CompanyPicker } from '../components/CompanyPicker';
import { HealthBanner } from '../components/health-banner';
import { Button, ErrorBanner, Screen, StatusLine } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import './company-mapping.css';

/** The health issues fixed on this screen: a mapped company renamed or deleted in ConnectWise. */
const COMPANY_KINDS = ['company_renamed', 'company_deleted'] as const;

type Mapping =
  paths['/partners/{partnerId}/connectwise/company-mappings']['get']['responses'][200]['content']['application/json']['mappings'][number];

/** A row's choice: a ConnectWise company, or null (excluded: blank is excluded when saved). */
interface Choice {
  companyId: number | null;
  name?: string;
  identifier?: string;
}

function savedChoice(m: Mapping): Choice {
  if (m.companyId === null) return { companyId: null };
  return {
    companyId: m.companyId,
    name: m.company?.name ?? m.companyName ?? undefined,
    identifier: m.company?.identifier,
  };
}

/** What ConnectWise did to the saved company since it was mapped (GET's company vs companyName). */
function flagOf(m: Mapping): { kind: 'deleted' | 'renamed'; text: string } | undefined {
  if (m.status !== 'mapped') return undefined;
  if (m.company === null) {
    return {
      kind: 'deleted',
      text: `Deleted in ConnectWise: company ${m.companyId ?? ''}${m.companyName ? ` (${m.companyName})` : ''} no longer exists or is deleted. Choose another company or exclude the customer.`,
    };
  }
  if (m.companyName !== null && m.company.name !== m.companyName) {
    return {
      kind: 'renamed',
      text: `Renamed in ConnectWise: was “${m.companyName}”, now “${m.company.name}”. Saving keeps the mapping under the new name.`,
    };
  }
  return undefined;
}

export function CompanyMapping() {
  const { api, path } = usePartner();
  const loaded = useLoad(() => companyMappings(api, path), [api, path]);
  const mappings = loaded.data?.mappings;
  // Only the partner's edits are state; the saved choices come from the load itself, so a click
  // made the moment the rows appear is never overwritten by the load settling.
  const [edits, setEdits] = useState<Record<string, Choice>>({});
  const saved = useMemo(
    () =>
      Object.fromEntries((mappings ?? []).map((m) => [m.customerId, savedChoice(m)])) as Record<
        string,
        Choice
      >,
    [mappings],
  );
  const choices = { ...saved, ...edits };
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string>();

  const choose = (customerId: string, choice: Choice) => {
    setEdits((old) => ({ ...old, [customerId]: choice }));
    setNotice(undefined);
  };

  const save = async () => {
    if (!mappings) return;
    setSaving(true);
    setError(undefined);
    setNotice(undefined);
    // What this save sends: edits made while it runs are kept (only these are cleared after).
    const sent = edits;
    try {
      const body = {
        mappings: mappings.map((m) => ({
          customerId: m.customerId,
          companyId: choices[m.customerId]?.companyId ?? null,
        })),
      };
      const saved = await ok(
        api.PUT('/partners/{partnerId}/connectwise/company-mappings', { params: { path }, body }),
      );
      const mapped = saved.mappings.filter((m) => m.companyId !== null).length;
      await loaded.reload();
      setEdits((now) =>
        Object.fromEntries(Object.entries(now).filter(([customerId, c]) => sent[customerId] !== c)),
      );
      setNotice(
        `Company mapping saved: ${mapped} mapped, ${saved.mappings.length - mapped} excluded.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  const rowError = (i: number) =>
    error instanceof ApiError ? error.fieldError(`body.mappings.${i}`) : undefined;
  // Only when every field the API names is a row's (an answer naming none, e.g. a 409 or 502,
  // keeps its own message).
  const rowFields =
    error instanceof ApiError &&
    error.fields.length > 0 &&
    error.fields.every((f) => /^body\.mappings\.\d+\./.test(f.field));
  const notConnected = loaded.error instanceof ApiError && loaded.error.status === 404;
  const changed =
    mappings?.filter((m) => {
      const c = choices[m.customerId];
      return c !== undefined && c.companyId !== m.companyId;
    }).length ?? 0;

  return (
    <Screen
      title="Company Mapping"
      intro="Match each DefensX customer with its ConnectWise company. Suggestions are only applied when you click them; a customer left blank is excluded from the integration."
    >
      {notConnected ? (
        <p className="banner banner-warn">
          Connect ConnectWise first on <Link href="/integration">Integration details</Link>.
        </p>
      ) : (
        <>
          <HealthBanner kinds={COMPANY_KINDS} />
          <ErrorBanner error={loaded.error} />
        </>
      )}
      {mappings === undefined ? (
        loaded.loading ? (
          <p>Loading customers and ConnectWise companies…</p>
        ) : null
      ) : mappings.length === 0 ? (
        <p>No DefensX customers yet: the vendor console has not sent any.</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <table className="mapping-table">
            <caption className="visually-hidden">
              DefensX customers and their ConnectWise companies
            </caption>
            <thead>
              <tr>
                <th scope="col">DefensX customer</th>
                <th scope="col">ConnectWise company</th>
                <th scope="col">Suggestions</th>
              </tr>
            </thead>
            <tbody>
              {mappings.map((m, i) => (
                <MappingRow
                  key={m.customerId}
                  mapping={m}
                  choice={choices[m.customerId] ?? savedChoice(m)}
                  error={rowError(i)}
                  onChoose={(c) => choose(m.customerId, c)}
                />
              ))}
            </tbody>
          </table>
          {rowFields ? (
            <p className="banner banner-error" role="alert">
              Nothing was saved: {error instanceof ApiError ? error.fields.length : 0} row
              {error instanceof ApiError && error.fields.length === 1 ? '' : 's'} to fix (see below
              each customer).
            </p>
          ) : (
            <ErrorBanner error={error} />
          )}
          <StatusLine>{notice}</StatusLine>
          <div className="actions">
            <Button type="submit" kind="primary" busy={saving}>
              Save Company Mapping
            </Button>
            <span className="hint">
              {changed > 0
                ? `${changed} unsaved change${changed === 1 ? '' : 's'}`
                : 'No unsaved changes'}
            </span>
          </div>
        </form>
      )}
    </Screen>
  );
}

function MappingRow({
  mapping: m,
  choice,
  error,
  onChoose,
}: {
  mapping: Mapping;
  choice: Choice;
  error: string | undefined;
  onChoose: (c: Choice) => void;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const unchanged = choice.companyId === m.companyId;
  const flag = unchanged ? flagOf(m) : undefined;
  const excluded = choice.companyId === null;
  return (
    <tr className={error ? 'row-invalid' : undefined}>
      <th scope="row">
        <span className="customer-name">{m.name}</span>
        <span className="customer-id">{m.customerId}</span>
      </th>
      <td>
        <div className="choice" data-testid="choice">
          {excluded ? (
            <span className="badge badge-muted">
              {m.status === 'unmapped' && unchanged
                ? 'Not mapped yet (excluded when saved)'
                : 'Excluded'}
            </span>
          ) : (
            <span>
              <strong>{choice.name ?? `Company ${choice.companyId ?? ''}`}</strong>{' '}
              <span className="customer-id">
                {choice.identifier ? `${choice.identifier}, ` : ''}#{choice.companyId}
              </span>
            </span>
          )}
          {!unchanged ? <span className="badge badge-warn">unsaved</span> : null}
        </div>
        {flag ? (
          <p className={`flag flag-${flag.kind}`}>
            <span className={`badge ${flag.kind === 'deleted' ? 'badge-bad' : 'badge-warn'}`}>
              {flag.kind}
            </span>{' '}
            {flag.text}
          </p>
        ) : null}
        <div className="choice-controls">
          <CompanyPicker
            label={`Search ConnectWise companies for ${m.name}`}
            describedBy={error ? errorId : undefined}
            invalid={error !== undefined}
            onPick={(c) => onChoose({ companyId: c.id, name: c.name, identifier: c.identifier })}
          />
          <Button
            aria-pressed={excluded}
            aria-label={`Exclude ${m.name}`}
            onClick={() => onChoose({ companyId: null })}
          >
            Exclude
          </Button>
        </div>
        {error ? (
          <p className="field-error" id={errorId}>
            {error}
          </p>
        ) : null}
      </td>
      <td>
        {m.suggestions.length === 0 ? (
          <span className="hint">No similar company name</span>
        ) : (
          <ul className="suggestions">
            {m.suggestions.slice(0, 3).map((s) => (
              <li key={s.companyId}>
                <Button
                  aria-pressed={choice.companyId === s.companyId}
                  title={`${s.identifier}, #${s.companyId}`}
                  onClick={() =>
                    onChoose({ companyId: s.companyId, name: s.name, identifier: s.identifier })
                  }
                >
                  Use {s.name}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
