const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/**
 * FNV-1a, 64 bits, over the UTF-16 code units (skus are ASCII, where that is plain FNV-1a), as 16
 * hex digits: a short, stable digest for keys that must fit a field.
 * Not a secret and not adversarial: a partner's skus only name that partner's own catalog items.
 * Pure (no node:crypto), so workflow code may still import domain/billing.
 */
export function keyDigest(text: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV_PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * `text` when it fits in `max` characters; otherwise its start, a space and the digest of the
 * whole text. Skus never contain a space (api/v1/schemas.ts externalId), so a shortened key never
 * equals a key that was kept whole, and two shortened keys differ unless their digests collide.
 */
export function fitKey(text: string, max: number): string {
  if (text.length <= max) return text;
  const digest = keyDigest(text);
  return `${text.slice(0, max - digest.length - 1)} ${digest}`;
}
