import { useMemo, useState, type FormEvent } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import {
  Button,
  Dialog,
  ErrorBanner,
  Field,
  NumberField,
  SelectField,
  StatusLine,
  TextField,
  Toggle,
} from '../../components/ui';
import { usePartner } from '../../partner';
import { AgreementChoice, type CompanyAgreements, type CustomerRow } from './agreements';
import { CatalogDefaults } from './catalog-defaults';
import { APPLY_OPTIONS, POLICY_DEFAULTS, ZERO_USAGE_OPTIONS } from './defaults';
import { bodyOf, formOf, type SettingsForm } from './form';
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

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

/** What releasing an addition does, by the zero-usage policy. */
const RELEASE_TEXT: Record<string, string> = {
  zero: 'set to quantity 0',
  cancel: 'cancelled at the end of its period',
  leave: 'left open with its quantity (and listed in every run)',
};

const SOURCE_TEXT: Record<BillingSettings['effectiveTimeZone']['source'], string> = {
  setting: 'this setting',
  connectwise: "ConnectWise's server time zone",
  utc: "UTC: ConnectWise's zone has no IANA name",
  unknown: 'ConnectWise could not be asked',
};

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
      <Dialog
        title="Turn billing off?"
        open={askRelease}
        onClose={() => setAskRelease(false)}
        closeLabel="Cancel"
      >
        <p>
          Billing runs stop writing usage into ConnectWise. What should happen to the additions the
          engine bills (those it created or adopted)?
        </p>
        <ul>
          <li>
            <strong>Release</strong>: each one is {RELEASE_TEXT[form.zeroUsage] ?? 'released'} (the
            zero-usage policy &ldquo;{form.zeroUsage}&rdquo;), by the billing run this save queues.
          </li>
          <li>
            <strong>Leave</strong>: they stay as they are, billing their last quantity until someone
            changes them in ConnectWise.
          </li>
        </ul>
        <div className="actions">
          <Button kind="danger" onClick={() => void send(true)}>
            Release
          </Button>
          <Button kind="primary" onClick={() => void send(false)}>
            Leave
          </Button>
        </div>
      </Dialog>

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
      <div className="policy">
        <fieldset className="grid-fields">
          <legend>Usage</legend>
          <SelectField
            label="When a product's usage drops to zero"
            field="body.zeroUsage"
            error={err}
            hint={`Default: ${POLICY_DEFAULTS.zeroUsage}. Additions are never deleted.`}
            options={[...ZERO_USAGE_OPTIONS]}
            value={form.zeroUsage}
            onValue={(zeroUsage) => set({ zeroUsage })}
          />
          <NumberField
            label="Stale usage age (hours)"
            field="body.staleUsageHours"
            error={err}
            hint={`Usage older than this is not billed; the customer is skipped with the reason. 1–720, default ${POLICY_DEFAULTS.staleUsageHours}.`}
            value={form.staleUsageHours}
            onValue={(staleUsageHours) => set({ staleUsageHours })}
          />
          <Field
            label="Keep prices in sync"
            field="body.syncPrices"
            error={err}
            hint="Also set each addition's unit price and cost to the vendor's. Default: off."
          >
            {(ids) => (
              <input
                {...ids}
                type="checkbox"
                className="checkbox"
                checked={form.syncPrices}
                onChange={(e) => set({ syncPrices: e.target.checked })}
              />
            )}
          </Field>
        </fieldset>

        <fieldset className="grid-fields">
          <legend>Approval and safety</legend>
          <SelectField
            label="Apply mode"
            field="body.apply"
            error={err}
            hint={`Default: ${POLICY_DEFAULTS.apply}.`}
            options={[...APPLY_OPTIONS]}
            value={form.apply}
            onValue={(apply) => set({ apply })}
          />
          <NumberField
            label="Approval expires after (hours)"
            field="body.approvalExpiryHours"
            error={err}
            hint={`A plan waiting longer is dropped, nothing written. 1–168, default ${POLICY_DEFAULTS.approvalExpiryHours}.`}
            value={form.approvalExpiryHours}
            onValue={(approvalExpiryHours) => set({ approvalExpiryHours })}
          />
          <NumberField
            label="Approval overdue after (hours)"
            field="body.approvalOverdueHours"
            error={err}
            hint={`A plan waiting longer shows as a health issue. 1–168, default ${POLICY_DEFAULTS.approvalOverdueHours}.`}
            value={form.approvalOverdueHours}
            onValue={(approvalOverdueHours) => set({ approvalOverdueHours })}
          />
          <NumberField
            label="Maximum seat drop (share)"
            field="body.maxSeatDropShare"
            error={err}
            step="0.05"
            inputMode="decimal"
            hint={`An agreement whose seats would drop by more is held for approval. 0–1 (1: off), default ${POLICY_DEFAULTS.maxSeatDropShare}.`}
            value={form.maxSeatDropShare}
            onValue={(maxSeatDropShare) => set({ maxSeatDropShare })}
          />
          <NumberField
            label="Maximum zeroed customers (share)"
            field="body.maxZeroedShare"
            error={err}
            step="0.05"
            inputMode="decimal"
            hint={`When more customers than this share (and more than one) would drop to zero at once, all of them are held. 0–1 (1: off), default ${POLICY_DEFAULTS.maxZeroedShare}.`}
            value={form.maxZeroedShare}
            onValue={(maxZeroedShare) => set({ maxZeroedShare })}
          />
        </fieldset>

        <fieldset className="grid-fields">
          <legend>Schedule</legend>
          <TextField
            label="Billing time zone"
            field="body.timeZone"
            error={err}
            list="billing-time-zones"
            autoComplete="off"
            placeholder={effective.zone ?? 'America/New_York'}
            hint={
              <>
                An IANA name; empty: ConnectWise&apos;s server time zone. Runs now use{' '}
                <strong>{effective.zone ?? 'an unknown zone'}</strong> (
                {SOURCE_TEXT[effective.source]}).
              </>
            }
            value={form.timeZone}
            onValue={(timeZone) => set({ timeZone })}
          />
          <datalist id="billing-time-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <NumberField
            label="Sync interval (minutes)"
            field="body.syncIntervalMinutes"
            error={err}
            hint="The period of scheduled runs, 15–10080; empty: the engine's default."
            value={form.syncIntervalMinutes}
            onValue={(syncIntervalMinutes) => set({ syncIntervalMinutes })}
          />
          <NumberField
            label="Concurrency"
            field="body.concurrency"
            error={err}
            hint={`ConnectWise calls in flight during a run. 1–10, default ${POLICY_DEFAULTS.concurrency}.`}
            value={form.concurrency}
            onValue={(concurrency) => set({ concurrency })}
          />
        </fieldset>

        <CatalogDefaults value={form} onChange={set} error={err} />
      </div>

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
