import { invalidRequest } from './errors';

/** A ConnectWise record id: a positive integer, checked before it reaches a URL or condition. */
export function assertId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1)
    throw invalidRequest(`${String(id)} is not a ConnectWise record id`);
  return id;
}

/** Ids go into URL paths; only positive integers may, so a path can never be steered. */
export function idSegment(id: number): string {
  return String(assertId(id));
}
