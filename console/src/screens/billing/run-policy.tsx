import { Field, NumberField, SelectField, TextField } from '../../components/ui';
import { CatalogDefaults } from './catalog-defaults';
import { APPLY_OPTIONS, POLICY_DEFAULTS, ZERO_USAGE_OPTIONS } from './defaults';
import type { SettingsForm } from './form';
import type { BillingSettings } from './types';

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

const SOURCE_TEXT: Record<BillingSettings['effectiveTimeZone']['source'], string> = {
  setting: 'this setting',
  connectwise: "ConnectWise's server time zone",
  utc: "UTC: ConnectWise's zone has no IANA name",
  unknown: 'ConnectWise could not be asked',
};

/** The run policy: usage, approval and safety, schedule, and the catalog defaults. */
export function RunPolicy({
  form,
  set,
  error: err,
  effective,
}: {
  form: SettingsForm;
  set: (change: Partial<SettingsForm>) => void;
  error: unknown;
  effective: BillingSettings['effectiveTimeZone'];
}) {
  return (
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
  );
}
