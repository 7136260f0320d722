import { deref, type JsonSchema } from './openapi';

export interface Bound {
  value: unknown;
  /** `/`-separated paths of the properties dropped because the schema has no such name. */
  ignored: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bindAt(value: unknown, raw: JsonSchema, path: string, ignored: string[]): unknown {
  const s = deref(raw);
  if (Array.isArray(value)) {
    return s.items
      ? value.map((v, i) => bindAt(v, s.items as JsonSchema, `${path}${i}/`, ignored))
      : value;
  }
  // A free-form object (`_info`, `value` of a PatchOperation) has no names to bind to: keep it.
  if (!isPlainObject(value) || !s.properties) return value;
  const props = s.properties;
  const byLower = new Map(Object.keys(props).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = byLower.get(key.toLowerCase());
    const prop = name === undefined ? undefined : props[name];
    if (name === undefined || !prop) {
      if (s.additionalProperties) out[key] = v;
      else ignored.push(`${path}${key}`);
      continue;
    }
    // JSON.NET sets properties in body order, so of `summary` and `Summary` the later one wins.
    out[name] = bindAt(v, prop, `${path}${name}/`, ignored);
  }
  return out;
}

/**
 * Binds a JSON body to a schema the way ConnectWise's ASP.NET model binder (JSON.NET) does:
 * property names match case-insensitively and are rewritten to the schema's spelling, and names the
 * schema lacks are dropped silently, at every level of nesting. Returns the bound copy and what was
 * dropped, so the journal can show a client's typos.
 */
export function bindBody(value: unknown, schema: JsonSchema): Bound {
  const ignored: string[] = [];
  return { value: bindAt(value, schema, '', ignored), ignored };
}
