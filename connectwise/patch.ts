import { invalidRequest } from './errors';
import { FIELD_NAME } from './fields';

/**
 * A JSON-Patch operation as ConnectWise takes it: `path` is the bare, case-sensitive field name
 * with no leading slash; references are replaced whole by `{id}` (API-NOTES §4). `F` narrows the
 * fields an operation module lets callers touch. The spec types `value` as object; it is unknown.
 */
export interface PatchOperation<F extends string = string> {
  op: 'add' | 'replace' | 'remove';
  path: F;
  value?: unknown;
}

export function replace<F extends string>(path: F, value: unknown): PatchOperation<F> {
  return { op: 'replace', path, value };
}

/** Refuses what ConnectWise would reject or misapply, before it is sent. */
export function assertPatch(ops: readonly PatchOperation[]): void {
  if (ops.length === 0) throw invalidRequest('A PATCH needs at least one operation');
  for (const op of ops) {
    if (!['add', 'replace', 'remove'].includes(op.op)) {
      throw invalidRequest(`PATCH operation "${String(op.op)}" is not add, replace or remove`);
    }
    if (!FIELD_NAME.test(op.path)) {
      throw invalidRequest(`PATCH path "${op.path}" must be a bare field name (no leading slash)`);
    }
    if (op.op !== 'remove' && op.value === undefined) {
      throw invalidRequest(`PATCH ${op.op} of "${op.path}" needs a value`);
    }
  }
}
