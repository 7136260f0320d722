/**
 * A document's `_id` built from its natural key, e.g. `naturalId(partnerId, customerId)`.
 * Upserts then filter on `_id` alone, the one filter FerretDB's SQLite backend answers from an
 * index (any other filter reads the whole collection), and MongoDB answers from its `_id` index.
 * Each part is percent-encoded, so no two keys give the same id.
 */
export const naturalId = (...parts: string[]): string =>
  parts.map((p) => encodeURIComponent(p)).join('/');
