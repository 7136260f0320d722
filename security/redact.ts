import { SECRET_KEYS } from '../config/logger';

const SECRET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

/** A deep copy with every secret-named field replaced, at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET.has(k.toLowerCase()) ? '[redacted]' : redactSecrets(v),
      ]),
    );
  }
  return value;
}
