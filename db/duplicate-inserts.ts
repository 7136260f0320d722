/**
 * An unordered insertMany in which documents already there (the same row written again) fail
 * alone, with E11000: which of them failed so, and any other failure as it came.
 */

/**
 * One per document that failed: the driver's WriteError (`code`), or as Mongoose copies it
 * (`err.code`); alone or in an array.
 */
export type WriteError = { index: number; code?: number; err?: { code?: number } };

/** The documents an unordered insert refused as duplicates; rethrows `err` when any failed otherwise. */
export function duplicatesOnly(err: unknown): WriteError[] {
  const errors = (err as { writeErrors?: WriteError | WriteError[] }).writeErrors;
  const failed = errors === undefined ? undefined : [errors].flat();
  if (!failed || failed.some((w) => (w.code ?? w.err?.code) !== 11000)) throw err;
  return failed;
}
