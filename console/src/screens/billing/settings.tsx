import { useMemo, useState, type FormEvent } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Button, ErrorBanner, StatusLine, Toggle } from '../../components/ui';
import { usePartner } from '../../partner';
import { AgreementChoice, type CompanyAgreements, type CustomerRow } from './agreements';
import { bodyOf, formOf, type SettingsForm } from './form';
import { ReleaseDialog } from './release-dialog';
import { RunPolicy } from './run-policy';
import type { BillingSettings } from './types';

/** The policy fields the form shows, as the API names them (an error for one appears under it). */
const POLICY_FIELDS = [
  'enabled',
  'zeroUsage',
  'syncPrices',
  'timeZone',
  'concurrency',
  'apply',
  'approvalExpiryHours',
  'approvalOverdueHours',
  'maxSeatDropShare',
  'maxZeroedShare',
  'staleUsageHours',
  'syncIntervalMinutes',
  'catalogDefaults.categoryId',
  'catalogDefaults.subcategoryId',
  'catalogDefaults.typeId',
  'catalogDefaults.productClass',
].map((f) => `body.${f}`);

/**
 * The billing toggle, each mapped customer's agreement, the run policy and the catalog defaults,
 * saved together (PUT billing-settings: the API checks agreements and catalog defaults in
 * ConnectWise when billing is on, and names each refused field).
 */
export function SettingsSection({
  settings,
  rows,
  agreements,
  onSaved,
}: {
  settings: BillingSettings;
  rows: CustomerRow[];
  agreements: Map<number, CompanyAgreements>;
  onSaved: (saved: BillingSettings) => void;
}) {
  const { api, path } = usePartner();
  const [form, setForm] = useState<SettingsForm>(() => formOf(settings));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [order, setOrder] = useState<string[]>([]);
  const [saved, setSaved] = useState<string>();
  const set = (change: Partial<SettingsForm>) => {
    setForm((f) => ({ ...f, ...change }));
    setSaved(undefined);
  };
  const [askRelease, setAskRelease] = useState(false);
  const customers = useMemo(() => rows.map((r) => r.customerId), [rows]);

  /**
   * Save. Turning billing off asks first what to do with the additions the engine bills (the API
   * requires `releaseAdditions` with billing off); a save while it stays off keeps the answer given.
   */
  function save(e: FormEvent) {
    e.preventDefault();
    if (!form.enabled && settings.enabled) setAskRelease(true);
    else void send(form.enabled ? undefined : (settings.releaseAdditions ?? false));
  }

  async function send(releaseAdditions: boolean | undefined) {
    setAskRelease(false);
    const sent = bodyOf(form, customers, releaseAdditions);
    setSaving(true);
    setSaveError(undefined);
    setSaved(undefined);
    setOrder(sent.order);
    try {
      const answer = await ok(
        api.PUT('/partners/{partnerId}/connectwise/billing-settings', {
          params: { path },
          body: sent.body,
        }),
      );
      setForm(formOf(answer));
      onSaved(answer);
      setSaved(
        answer.enabled
          ? 'Agreement mapping saved. A billing run was queued to apply it (the Status screen follows it).'
          : answer.releaseAdditions
            ? "Agreement mapping saved. Billing is off: a billing run releases the engine's additions by the zero-usage policy, then runs write nothing to ConnectWise."
            : "Agreement mapping saved. Billing is off: runs write nothing to ConnectWise; the engine's additions are left as they are.",
      );
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  }

  const lineOf = (customerId: string) => {
    const i = order.indexOf(customerId);
    return i < 0 ? undefined : `body.agreements.${i}`;
  };
  const shown = (field: string) =>
    POLICY_FIELDS.some((f) => field === f || field.startsWith(`${f}.`)) ||
    order.some((_, i) => field.startsWith(`body.agreements.${i}.`));
  const fieldErrors = saveError instanceof ApiError ? saveError.fields : [];
  const allPlaced = fieldErrors.length > 0 && fieldErrors.every((f) => shown(f.field));
  const err = saveError;
  const effective = settings.effectiveTimeZone;

  return (
    <form
      className="billing-settings"
      onSubmit={save}
      noValidate
      aria-labelledby="billing-settings-title"
    >
      <h2 id="billing-settings-title">Billing integration</h2>
      <Toggle
        label="Bill usage into ConnectWise agreements"
        field="body.enabled"
        error={err}
        checked={form.enabled}
        onValue={(enabled) => set({ enabled })}
      />
      <p className="hint">
        When on, each billing run writes every mapped customer&apos;s usage as additions of the
        agreement chosen for it. Agreements are judged on the billing day, as a run judges them.
      </p>
      {!settings.enabled && settings.releaseAdditions !== null ? (
        <p className="hint">
          Billing was turned off{' '}
          {settings.releaseAdditions
            ? "and the engine's additions released (by the zero-usage policy)."
            : "and the engine's additions left as they were."}
        </p>
      ) : null}
      <ReleaseDialog
        open={askRelease}
        zeroUsage={form.zeroUsage}
        onClose={() => setAskRelease(false)}
        onRelease={(release) => void send(release)}
      />

      <h2>Agreements</h2>
      {rows.length === 0 ? (
        <p>
          No customer is mapped to a ConnectWise company yet: map them on Company Mapping first.
        </p>
      ) : (
        <div className="agreement-list">
          {rows.map((row) => (
            <AgreementChoice
              key={row.customerId}
              row={row}
              agreements={
                row.mapping?.companyId == null ? undefined : agreements.get(row.mapping.companyId)
              }
              value={form.choices[row.customerId] ?? ''}
              onValue={(v) => set({ choices: { ...form.choices, [row.customerId]: v } })}
              field={lineOf(row.customerId)}
              error={err}
            />
          ))}
        </div>
      )}

      <h2>Run policy</h2>
      <RunPolicy form={form} set={set} error={err} effective={effective} />

      {saveError && !allPlaced ? <ErrorBanner error={saveError} /> : null}
      {allPlaced ? (
        <div className="banner banner-error" role="alert">
          Not saved:{' '}
          {fieldErrors.length === 1 ? 'one field needs' : `${fieldErrors.length} fields need`}{' '}
          attention (each is marked at its field).
        </div>
      ) : null}
      <StatusLine>{saved}</StatusLine>
      <div className="actions">
        <Button type="submit" kind="primary" busy={saving}>
          Save Agreement Mapping
        </Button>
        {saving ? <span className="hint">Checking the agreements in ConnectWise…</span> : null}
      </div>
    </form>
  );
}
