import { invalidRequest } from './errors';
import { pathSegment } from './path-segment';

/** A ConnectWise record id: a positive integer, checked before it reaches a URL or condition. */
export function assertId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1)
    throw invalidRequest(`${String(id)} is not a ConnectWise record id`);
  return id;
}

/** Ids go into URL paths; only positive integers may, so a path can never be steered. */
export function idSegment(id: number): string {
  return pathSegment(String(assertId(id)), 'record id');
}

/** The characters the engine's own keys (externalXRef, catalog identifiers, setup names) use. */
export const ENGINE_KEY = /^[A-Za-z0-9:._ -]{1,100}$/;

/**
 * Checks a key the engine generated before it goes into a lookup condition. Escaping would make
 * any text safe to send; refusing anything outside the engine's alphabet also means a corrupted
 * or foreign value can never match some other record.
 */
export function assertEngineKey(value: string, what: string): string {
  if (typeof value !== 'string' || !ENGINE_KEY.test(value)) {
    throw invalidRequest(
      `${what} "${String(value).slice(0, 120)}" is not an engine key (1-100 of A-Z a-z 0-9 : . _ space -)`,
    );
  }
  return value;
}
