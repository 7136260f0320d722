import { isSecretName } from '../config/secret-names';

/** A deep copy with every secret-named field (config/secret-names.ts) replaced, at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, isSecretName(k) ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}
