/**
 * Which field names hold secrets. Names are compared normalized: lowercased, `_` and `-` removed,
 * one trailing `s` dropped, so `privateKey`, `private_key`, `PRIVATE-KEY` and `privateKeys` are
 * the same name. A name is secret when it is one of `SECRET_NAMES` or ends with one of
 * `SECRET_SUFFIXES` (`clientSecret`, `x-api-key`, `refresh_token`). Suffixes, not substrings:
 * `tokenKind`, `tokenHash`, `publicKey` and `secretName` describe a secret without being one.
 */
export const SECRET_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'secretkey',
  'privatekey',
  'apikey',
  'token',
  'authorization',
  'cookie',
  'encryptionkey',
] as const;

/** Whole names that are secret without a telling suffix. */
export const SECRET_NAMES = ['pwd', 'encryptionpreviouskey'] as const;

export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '').replace(/s$/, '');
}

const EXACT = new Set<string>(SECRET_NAMES);

export function isSecretName(name: string): boolean {
  const n = normalizeFieldName(name);
  return EXACT.has(n) || SECRET_SUFFIXES.some((suffix) => n.endsWith(suffix));
}
