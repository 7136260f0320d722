import type { BillingBody, BillingSettings } from './types';

/** The settings form: ids and numbers as typed ('' = none, or the default). */
export interface SettingsForm {
  enabled: boolean;
  /** customerId → agreement id ('' = none chosen). */
  choices: Record<string, string>;
  zeroUsage: string;
  syncPrices: boolean;
  timeZone: string;
  concurrency: string;
  apply: string;
  approvalExpiryHours: string;
  approvalOverdueHours: string;
  maxSeatDropShare: string;
  maxZeroedShare: string;
  staleUsageHours: string;
  syncIntervalMinutes: string;
  categoryId: string;
  subcategoryId: string;
  typeId: string;
  productClass: string;
}

const text = (v: number | string | null | undefined) =>
  v === null || v === undefined ? '' : String(v);

export function formOf(s: BillingSettings): SettingsForm {
  return {
    enabled: s.enabled,
    choices: Object.fromEntries(s.agreements.map((a) => [a.customerId, String(a.agreementId)])),
    zeroUsage: s.zeroUsage,
    syncPrices: s.syncPrices,
    timeZone: text(s.timeZone),
    concurrency: text(s.concurrency),
    apply: s.apply,
    approvalExpiryHours: text(s.approvalExpiryHours),
    approvalOverdueHours: text(s.approvalOverdueHours),
    maxSeatDropShare: text(s.maxSeatDropShare),
    maxZeroedShare: text(s.maxZeroedShare),
    staleUsageHours: text(s.staleUsageHours),
    syncIntervalMinutes: text(s.syncIntervalMinutes),
    categoryId: text(s.catalogDefaults.categoryId),
    subcategoryId: text(s.catalogDefaults.subcategoryId),
    typeId: text(s.catalogDefaults.typeId),
    productClass: text(s.catalogDefaults.productClass),
  };
}

/**
 * A number as typed; '' is left out (the default). Anything else that is not a plain number is
 * sent as typed, so the engine names the field and says what it takes (one set of rules: the API's).
 */
function num(value: string): number | undefined {
  const t = value.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : (t as unknown as number);
}

/** An id, or null for none. */
const idOf = (value: string): number | null => (value === '' ? null : (num(value) ?? null));

/**
 * The PUT body, and the customer of each agreement line in order: the API names a refused line
 * by its index (`body.agreements.<i>.agreementId`), the screen shows it next to that customer.
 */
export function bodyOf(
  form: SettingsForm,
  customers: readonly string[],
  /** With billing off (required then): release the engine's additions, or leave them. */
  releaseAdditions?: boolean,
): { body: BillingBody; order: string[] } {
  const order = customers.filter((c) => (form.choices[c] ?? '') !== '');
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  const body: BillingBody = {
    enabled: form.enabled,
    agreements: order.map((customerId) => ({
      customerId,
      agreementId: idOf(form.choices[customerId] ?? '') as number,
    })),
    zeroUsage: form.zeroUsage as BillingBody['zeroUsage'],
    syncPrices: form.syncPrices,
    timeZone: form.timeZone.trim() === '' ? null : form.timeZone.trim(),
    apply: form.apply as BillingBody['apply'],
    catalogDefaults: {
      categoryId: idOf(form.categoryId),
      subcategoryId: idOf(form.subcategoryId),
      typeId: idOf(form.typeId),
      productClass: (form.productClass || null) as NonNullable<
        BillingBody['catalogDefaults']
      >['productClass'],
    },
    ...optional('concurrency', num(form.concurrency)),
    ...optional('approvalExpiryHours', num(form.approvalExpiryHours)),
    ...optional('approvalOverdueHours', num(form.approvalOverdueHours)),
    ...optional('maxSeatDropShare', num(form.maxSeatDropShare)),
    ...optional('maxZeroedShare', num(form.maxZeroedShare)),
    ...optional('staleUsageHours', num(form.staleUsageHours)),
    syncIntervalMinutes: num(form.syncIntervalMinutes) ?? null,
    ...(form.enabled ? {} : optional('releaseAdditions', releaseAdditions)),
  };
  return { body, order };
}
