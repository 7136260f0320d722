import { bindBody } from './binding';
import { FieldErrors } from './errors';
import { deref, schema, schemaAtPath } from './openapi';
import { patchValueProblems } from './patch-values';
import type { SimRecord } from './resources';

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

const OPS = new Set(['add', 'replace', 'remove']);
/** Fields no PATCH may touch. */
const ALWAYS_READ_ONLY = new Set(['id', '_info']);

function isReference(schemaName: string, field: string): boolean {
  const prop = schema(schemaName).properties?.[field];
  return Boolean(prop?.$ref?.endsWith('Reference'));
}

/** Checks a `/`-separated path against the schema, case-sensitively (CW rejects `Quantity`). */
function pathExists(schemaName: string, segments: string[]): boolean {
  let current = schema(schemaName);
  for (const seg of segments) {
    const props = current.properties;
    if (!props || !Object.prototype.hasOwnProperty.call(props, seg)) return false;
    const next = props[seg];
    if (!next) return false;
    current = deref(next);
  }
  return true;
}

/**
 * Applies CW's JSON-Patch dialect: an array of `{op, path, value}` where `path` is the bare field
 * name (no leading slash, case-sensitive). A reference (`status`, `product`) is replaced whole, so
 * `{id}` is enough and stale names never survive; `status/id` does the same. Each value is checked
 * against its field's schema (patch-values.ts). Setting `null` (where the field is nullable) or
 * removing a field drops it, as an absent field and a null one read the same in responses.
 */
export function applyPatch(
  record: SimRecord,
  ops: PatchOperation[],
  schemaName: string,
  resource: string,
  readOnly: ReadonlySet<string> = new Set(),
): SimRecord {
  const out = structuredClone(record);
  const errors = new FieldErrors(resource);
  for (const { op, path, value } of ops) {
    const segments = path.split('/');
    const top = segments[0] ?? '';
    if (!OPS.has(op)) {
      errors.add(
        'InvalidField',
        path,
        `Unsupported patch operation '${op}'; use add, replace or remove.`,
      );
    } else if (path.startsWith('/') || segments.some((s) => s === '')) {
      errors.add('InvalidField', path, `Invalid patch path '${path}': give the bare field name.`);
    } else if (!pathExists(schemaName, segments)) {
      errors.add('InvalidField', path, `Cannot find field '${path}' on ${resource}.`);
    } else if (ALWAYS_READ_ONLY.has(top) || readOnly.has(top)) {
      errors.add('InvalidField', path, `${path} cannot be updated.`);
    } else if (op !== 'remove' && value === undefined) {
      errors.add('InvalidField', path, `A value is required to ${op} ${path}.`);
    } else {
      const target = schemaAtPath(schemaName, segments);
      // The value binds like a body would: `{"ID": 5}` is `{id: 5}`, unknown names are dropped.
      const bound = op === 'remove' ? null : target ? bindBody(value, target).value : value;
      const problems = op === 'remove' ? [] : patchValueProblems(schemaName, segments, bound);
      for (const p of problems) errors.add(p.code, p.field, p.message);
      if (problems.length === 0) apply(out, schemaName, segments, bound);
    }
  }
  errors.throwIfAny();
  return out;
}

function apply(out: SimRecord, schemaName: string, segments: string[], value: unknown): void {
  const top = segments[0] ?? '';
  if (value === null) {
    if (segments.length === 1) delete out[top];
    else setNested(out, segments, undefined);
  } else if (segments.length > 1 && isReference(schemaName, top)) {
    out[top] = setNested({}, segments.slice(1), value);
  } else if (segments.length > 1) {
    setNested(out, segments, value);
  } else {
    out[top] = structuredClone(value);
  }
}

function setNested(
  target: Record<string, unknown>,
  segments: string[],
  value: unknown,
): Record<string, unknown> {
  let node = target;
  segments.slice(0, -1).forEach((seg) => {
    const next = node[seg];
    if (!next || typeof next !== 'object') node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  });
  const last = segments[segments.length - 1] ?? '';
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value);
  return target;
}
