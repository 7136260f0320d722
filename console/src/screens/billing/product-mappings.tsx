import { useId, useState } from 'react';
import { allPages, ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { TableWrap } from '../../components/table-wrap';
import { Button, ErrorBanner, StatusLine, When } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { usePartner } from '../../partner';
import type { ProductMapping } from './types';

/** The id the partner chose, as the input shows it ('' = the engine's choice). */
const typedOf = (m: ProductMapping) =>
  m.source === 'partner' && m.catalogItemId !== null ? String(m.catalogItemId) : '';

/**
 * Which ConnectWise catalog item each vendor product is billed as. The partner may point a sku at
 * an existing active item by its id, or leave it empty to give the choice back to the engine
 * (found by its integration reference or identifier, else created with the catalog defaults).
 * Only the rows changed are sent; the API takes them all or none and names each refused row.
 */
export function ProductMappings() {
  const { api, path } = usePartner();
  const loaded = useLoad(
    () =>
      allPages(
        'mappings',
        (cursor) =>
          ok(
            api.GET('/partners/{partnerId}/connectwise/product-mappings', {
              params: { path, query: { cursor } },
            }),
          ),
        (whole, next) => ({
          ...whole,
          suggestionsUnavailable: whole.suggestionsUnavailable ?? next.suggestionsUnavailable,
        }),
      ),
    [api, path],
  );
  // Only what the partner typed is state; the rest shows what is saved (no effect that could
  // overwrite a value typed the moment the rows appear).
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [order, setOrder] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const mappings = loaded.data?.mappings;

  if (!mappings) {
    return loaded.error ? <ErrorBanner error={loaded.error} /> : <p>Loading product mappings…</p>;
  }
  const valueOf = (m: (typeof mappings)[number]) => typed[m.sku] ?? typedOf(m);
  const changed = mappings.filter((m) => valueOf(m) !== typedOf(m));

  async function save() {
    const rows = changed.map((m) => {
      const t = valueOf(m).trim();
      // Not a plain number: sent as typed, so the API says what it takes.
      const id = t === '' ? null : /^\d+$/.test(t) ? Number(t) : (t as unknown as number);
      return { sku: m.sku, catalogItemId: id };
    });
    setError(undefined);
    setSaved(undefined);
    if (rows.length === 0) {
      setSaved('Nothing changed.');
      return;
    }
    setSaving(true);
    setOrder(rows.map((r) => r.sku));
    // What this save sends: values typed while it runs are kept (only these are cleared after).
    const sent = Object.fromEntries(changed.map((m) => [m.sku, valueOf(m)]));
    try {
      const answer = await ok(
        api.PUT('/partners/{partnerId}/connectwise/product-mappings', {
          params: { path },
          body: { mappings: rows },
        }),
      );
      await loaded.reload();
      setTyped((now) =>
        Object.fromEntries(Object.entries(now).filter(([sku, v]) => sent[sku] !== v)),
      );
      setSaved(
        `Product mappings saved (${answer.saved} product${answer.saved === 1 ? '' : 's'}). Billing runs use them from the next run.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  }

  const rowField = (sku: string) => {
    const i = order.indexOf(sku);
    return i < 0 ? undefined : `body.mappings.${i}`;
  };
  const fields = error instanceof ApiError ? error.fields : [];
  const placed =
    fields.length > 0 &&
    fields.every((f) => order.some((_, i) => f.field.startsWith(`body.mappings.${i}.`)));

  return (
    <div className="product-mappings">
      <TableWrap label="Vendor products and their catalog items">
        <table>
          <caption className="visually-hidden">Vendor products and their catalog items</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Billed as (ConnectWise catalog item)</th>
              <th scope="col">Catalog item id</th>
            </tr>
          </thead>
          <tbody>
            {mappings.map((m) => (
              <MappingRow
                key={m.sku}
                mapping={m}
                value={valueOf(m)}
                onValue={(v) => {
                  setTyped((t) => ({ ...t, [m.sku]: v }));
                  setSaved(undefined);
                }}
                field={rowField(m.sku)}
                error={error}
              />
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p className="hint">
        Type the id of an existing, active catalog item to bill a product as it; leave it empty to
        let the engine find the item (by its integration reference, else its identifier) or create
        it with the catalog defaults.
      </p>
      {error && !placed ? <ErrorBanner error={error} /> : null}
      {placed ? (
        <div className="banner banner-error" role="alert">
          Not saved: see the products marked above.
        </div>
      ) : null}
      <StatusLine>{saved}</StatusLine>
      <div className="actions">
        <Button kind="primary" busy={saving} onClick={() => void save()}>
          Save product mappings
        </Button>
        {changed.length > 0 ? (
          <span className="hint">
            {changed.length} change{changed.length === 1 ? '' : 's'} not saved
          </span>
        ) : null}
      </div>
    </div>
  );
}

function MappingRow({
  mapping: m,
  value,
  onValue,
  field,
  error,
}: {
  mapping: ProductMapping;
  value: string;
  onValue: (value: string) => void;
  field: string | undefined;
  error: unknown;
}) {
  const id = useId();
  const message = field && error instanceof ApiError ? error.fieldError(field) : undefined;
  const item = m.catalogItem;
  return (
    <tr>
      <td>
        <strong>{m.sku}</strong>
        <br />
        {m.name}
      </td>
      <td>
        {item ? (
          <>
            {item.identifier}: {item.description} (#{item.id}){' '}
            {item.inactive ? <span className="badge badge-bad">inactive</span> : null}
          </>
        ) : m.catalogItemId !== null ? (
          <>
            #{m.catalogItemId} <span className="badge badge-bad">not found in ConnectWise</span>
          </>
        ) : (
          <span className="muted">Not chosen yet: the next billing run finds or creates it</span>
        )}
        {m.source ? (
          <>
            <br />
            <span className={m.source === 'partner' ? 'badge badge-ok' : 'badge badge-muted'}>
              {m.source === 'partner' ? 'chosen by you' : 'found by the engine'}
            </span>{' '}
            <span className="hint-inline">
              <When at={m.updatedAt} />
            </span>
          </>
        ) : null}
      </td>
      <td>
        <label htmlFor={id} className="visually-hidden">
          Catalog item id for {m.sku}
        </label>
        <input
          id={id}
          className="id-input"
          inputMode="numeric"
          placeholder="engine's choice"
          value={value}
          onChange={(e) => onValue(e.target.value)}
          {...(message ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {})}
        />
        {value !== '' ? (
          <div className="row-action">
            <Button aria-label={`Use the engine's choice for ${m.sku}`} onClick={() => onValue('')}>
              Use the engine&apos;s choice
            </Button>
          </div>
        ) : null}
        {message ? (
          <p className="field-error" id={`${id}-error`}>
            {message}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
