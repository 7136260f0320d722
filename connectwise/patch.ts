import { z } from 'zod';
import { invalidRequest } from './errors';
import { FIELD_NAME } from './fields';

/**
 * A JSON-Patch operation as ConnectWise takes it: `path` is the bare, case-sensitive field name
 * with no leading slash; references are replaced whole by `{id}` (docs/connectwise.md §4). `F` narrows the
 * fields an operation module lets callers touch. The spec types `value` as object; it is unknown.
 */
export interface PatchOperation<F extends string = string> {
  op: 'add' | 'replace' | 'remove';
  path: F;
  value?: unknown;
}

/**
 * Operations typed field by field from a map of value types (`{quantity: number, ...}`), for
 * modules that check values before sending, e.g. dates that must go out without milliseconds.
 */
export type TypedPatchOperation<V> = {
  [F in keyof V & string]:
    { op: 'add' | 'replace'; path: F; value: V[F] } | { op: 'remove'; path: F; value?: undefined };
}[keyof V & string];

export function replace<F extends string, V>(
  path: F,
  value: V,
): { op: 'replace'; path: F; value: V } {
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

/**
 * Checks each value against its field's schema in `values` and returns the operations with the
 * schema's output as value (so a Date becomes ConnectWise's date-time text here, not in some
 * later serializer). A field the schema does not list is refused.
 */
export function parsePatch<S extends z.ZodObject>(
  values: S,
  ops: readonly TypedPatchOperation<z.input<S>>[],
  what: string,
): PatchOperation[] {
  const shape = values.shape as Record<string, z.ZodType | undefined>;
  return ops.map((op: PatchOperation) => {
    const schema = Object.hasOwn(shape, op.path) ? shape[op.path] : undefined;
    if (schema === undefined) throw invalidRequest(`${what} field "${op.path}" cannot be patched`);
    if (op.op === 'remove') return { op: op.op, path: op.path };
    const parsed = schema.safeParse(op.value);
    if (!parsed.success) {
      throw invalidRequest(
        `Invalid ${what} ${op.path}: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ')}`,
      );
    }
    return { op: op.op, path: op.path, value: parsed.data };
  });
}
