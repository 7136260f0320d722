import { CW_DATE_RULE, isCwDate } from './dates';
import type { FieldErrors } from './errors';
import { maxLengths, schema } from './openapi';
import { resolveRefs } from './refs';
import { RESOURCES, type CollectionName, type SimRecord } from './resources';
import type { Store } from './store';

function isBlank(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const ref = v as Record<string, unknown>;
    return ref.id === undefined && ref.identifier === undefined && ref.name === undefined;
  }
  return false;
}

/**
 * The checks every write goes through after the body passed the spec: drop nulls, refuse
 * date-times not in CW's exact format, then report, all together, required fields left empty (`NullValue`),
 * strings over the spec's " Max length: n;" (`MaxLengthField`) and references to nothing (`NotFound`).
 */
export function checkRecord(
  store: Store,
  collection: CollectionName,
  record: SimRecord,
  errors: FieldErrors,
  extraRequired: string[] = [],
): void {
  const s = schema(RESOURCES[collection].schema);
  for (const [field, value] of Object.entries(record)) {
    if (value === null) delete record[field];
    else if (s.properties?.[field]?.format === 'date-time' && !isCwDate(value)) {
      errors.add('InvalidField', field, `${field} ${CW_DATE_RULE}.`);
    }
  }
  for (const field of [...(s.required ?? []), ...extraRequired]) {
    if (isBlank(record[field])) errors.add('NullValue', field, `The ${field} field is required.`);
  }
  for (const [field, max] of maxLengths(RESOURCES[collection].schema)) {
    const value = record[field];
    if (typeof value === 'string' && value.length > max) {
      errors.add(
        'MaxLengthField',
        field,
        `${field} must be a string with a maximum length of ${max}.`,
      );
    }
  }
  resolveRefs(store, collection, record, errors);
}

/** Case-insensitive uniqueness (SQL Server collation), reported as CW's `ObjectExists`. */
export function checkUnique(
  store: Store,
  collection: CollectionName,
  record: SimRecord,
  field: string,
  errors: FieldErrors,
): void {
  const value = record[field];
  if (typeof value !== 'string') return;
  const clash = store
    .list(collection)
    .find(
      (r) =>
        r.id !== record.id &&
        typeof r[field] === 'string' &&
        r[field].toLowerCase() === value.toLowerCase(),
    );
  if (clash) {
    errors.add('ObjectExists', field, `The ${field} '${value}' already exists (id ${clash.id}).`);
  }
}
