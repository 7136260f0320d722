import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from './tokens';

/**
 * The hosted tab's install token, `<selector>.<verifier>`: the selector (128 random bits) finds the
 * stored record by its `_id`, the verifier (256 random bits) is kept only as a SHA-256 hash and
 * compared in constant time. It rides in the tab's URL, so it identifies the integration; it
 * grants nothing by itself (the vendor console keeps its own sign-in).
 */
export interface HostedToken {
  token: string;
  selector: string;
  verifierHash: string;
}

const SHAPE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function newHostedToken(): HostedToken {
  const selector = randomBytes(16).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  return { token: `${selector}.${verifier}`, selector, verifierHash: hashToken(verifier) };
}

/** The token's parts, or undefined for anything not shaped like one. */
export function parseHostedToken(
  token: string,
): { selector: string; verifier: string } | undefined {
  const m = SHAPE.exec(token);
  return m ? { selector: m[1]!, verifier: m[2]! } : undefined;
}

export function verifierMatches(verifier: string, storedHash: string): boolean {
  const given = Buffer.from(hashToken(verifier), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
