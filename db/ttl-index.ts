import type { Model } from 'mongoose';

/** FerretDB 1.x answers a TTL index option, and `collMod`, with NotImplemented. */
const NOT_IMPLEMENTED = 238;
/** MongoDB: an index of that name exists with other options. */
const INDEX_OPTIONS_CONFLICT = 85;

const codeOf = (err: unknown) => (err as { code?: number }).code;

/**
 * Documents expire `seconds` after their `field` (a TTL index named `<field>_ttl`); a changed
 * retention changes the index in place (`collMod`). Returns false where the server has no TTL
 * indexes (FerretDB 1.x): callers then prune themselves (e.g. at the start of each run).
 */
export async function ensureTtlIndex<T>(
  model: Model<T>,
  field: string,
  seconds: number,
): Promise<boolean> {
  const name = `${field}_ttl`;
  try {
    await model.collection.createIndex({ [field]: 1 }, { name, expireAfterSeconds: seconds });
    return true;
  } catch (err) {
    if (codeOf(err) === NOT_IMPLEMENTED) return false;
    if (codeOf(err) !== INDEX_OPTIONS_CONFLICT) throw err;
  }
  await model.db.db!.command({
    collMod: model.collection.collectionName,
    index: { name, expireAfterSeconds: seconds },
  });
  return true;
}
