import type { FieldErrors } from './errors';
import { RESOURCES, type CollectionName, type RefDef, type SimRecord } from './resources';
import type { Store } from './store';

function lower(v: unknown): string | undefined {
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}

/** Finds the record a reference points at: by id, else by identifier, else by name (CW accepts all three). */
function findTarget(store: Store, def: RefDef, record: SimRecord, ref: Record<string, unknown>) {
  const candidates = store.list(def.collection).filter((t) => !def.scope || def.scope(record, t));
  if (typeof ref.id === 'number') return candidates.find((t) => t.id === ref.id);
  const identifier = lower(ref.identifier);
  if (identifier) return candidates.find((t) => lower(t.identifier) === identifier);
  const name = lower(ref.name);
  if (name) return candidates.find((t) => lower(t.name) === name);
  return undefined;
}

function describe(ref: Record<string, unknown>): string {
  const key = ref.id ?? ref.identifier ?? ref.name;
  return typeof key === 'string' || typeof key === 'number' ? String(key) : '(none)';
}

/**
 * Replaces each reference on the record with the target's picked fields (`{id}` → `{id, name}`).
 * A reference that resolves to nothing is a `NotFound` field error, e.g. "Service Status 17 not
 * found for Service Board 21" on `status/id`; without an error sink (seeding) it throws.
 */
export function resolveRefs(
  store: Store,
  collection: CollectionName,
  record: SimRecord,
  errors?: FieldErrors,
): void {
  const def = RESOURCES[collection];
  for (const ref of def.refs ?? []) {
    const value = record[ref.field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors?.add('InvalidField', ref.field, `${ref.field} must be a reference object.`);
      continue;
    }
    const given = value as Record<string, unknown>;
    const target = findTarget(store, ref, record, given);
    if (!target) {
      const scope = ref.scopeLabel ? ` ${ref.scopeLabel(record)}` : '';
      const message = `${ref.label} ${describe(given)} not found${scope}`;
      if (!errors) throw new Error(`seed: ${def.collection} ${record.id}: ${message}`);
      errors.add('NotFound', `${ref.field}/id`, message);
      continue;
    }
    const resolved: Record<string, unknown> = {};
    for (const [out, src] of Object.entries(ref.pick)) {
      if (target[src] !== undefined) resolved[out] = target[src];
    }
    record[ref.field] = resolved;
  }
}

/**
 * After `target` of `collection` changed: every reference to it elsewhere shows its fields as they
 * are now, as ConnectWise's references do (an agreement's `company.name` follows a company renamed).
 */
export function refreshRefsTo(store: Store, collection: CollectionName, target: SimRecord): void {
  for (const def of Object.values(RESOURCES)) {
    for (const ref of def.refs ?? []) {
      if (ref.collection !== collection) continue;
      for (const record of store.list(def.collection)) {
        const value = record[ref.field] as Record<string, unknown> | null | undefined;
        if (!value || typeof value !== 'object' || value.id !== target.id) continue;
        if (ref.scope && !ref.scope(record, target)) continue;
        const resolved: Record<string, unknown> = {};
        for (const [out, src] of Object.entries(ref.pick)) {
          if (target[src] !== undefined) resolved[out] = target[src];
        }
        record[ref.field] = resolved;
      }
    }
  }
}
