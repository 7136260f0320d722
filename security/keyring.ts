/** The encryption keys the engine knows: one current key that encrypts, older ones that only decrypt. */
export interface Keyring {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export function createKeyring(
  current: { id: string; key: string },
  previous: ReadonlyArray<{ id: string; key: string }> = [],
): Keyring {
  const keys = new Map<string, Buffer>();
  for (const { id, key } of [...previous, current]) {
    const bytes = Buffer.from(key, 'base64');
    if (bytes.length !== 32) throw new Error(`encryption key ${id} must be 32 bytes (base64)`);
    keys.set(id, bytes);
  }
  return { currentKeyId: current.id, keys };
}

/** `id:base64,id:base64` as in ENCRYPTION_PREVIOUS_KEYS. */
export function parseKeyList(list: string | undefined): Array<{ id: string; key: string }> {
  if (!list) return [];
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const sep = entry.indexOf(':');
      if (sep <= 0) throw new Error('each previous key must be written id:base64');
      return { id: entry.slice(0, sep), key: entry.slice(sep + 1) };
    });
}
