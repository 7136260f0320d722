/**
 * Identical upserts racing on a unique index: one inserts, the others can fail with E11000.
 * FerretDB lets them fail (test/db/vendor.test.ts races them); MongoDB retries such an upsert
 * itself only in some cases (an equality filter on the unique index's keys). Upserts are
 * idempotent, so trying again, a few times with a short random pause, converges.
 */
export async function retryOnDuplicateKey<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number }> };
  return e.code === 11000 || (e.writeErrors ?? []).some((w) => w.code === 11000);
}
