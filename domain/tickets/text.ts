import { EVENT_LIMITS, type SecurityEvent, type TicketRef } from './event';
import { fitKey, keyDigest } from '../billing/key-digest';
import type { Severity } from './settings';

/** ConnectWise's limit for `summary` (docs/connectwise.md §5 Ticket). */
export const SUMMARY_MAX = 100;

const SEVERITY_WORD: Record<Severity, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** `text` cut to `max` characters on a word boundary, with an ellipsis when cut. */
export function cutOnWord(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const room = clean.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  // A single very long word is cut where it must be.
  const cut = space > max / 2 ? room.slice(0, space) : room;
  return `${cut.replace(/[\s,;:.-]+$/, '')}…`;
}

/**
 * `DefensX: High - Phishing site blocked (Acme Corp)`, at most 100 characters: the title is cut
 * on a word first, so the severity and the customer stay readable.
 */
export function ticketSummary(event: Pick<SecurityEvent, 'severity' | 'title'>, customer: string) {
  const head = `DefensX: ${SEVERITY_WORD[event.severity]} - `;
  const tail = ` (${cutOnWord(customer, 40)})`;
  return `${head}${cutOnWord(event.title, SUMMARY_MAX - head.length - tail.length)}${tail}`;
}

/** ConnectWise's limit for a ticket's `externalXRef`. */
export const XREF_MAX = 100;

/** The event key and its ticket generation: `<key>`, or `<key>:r<n>` for a later ticket. */
const keyOf = (ref: Pick<TicketRef, 'key' | 'generation'>): string =>
  ref.generation === 0 ? ref.key : `${ref.key}:r${ref.generation}`;

/**
 * The integration's mark in its tickets' externalXRef: a short digest of its id, so two
 * integrations on one ConnectWise tenant (or a deleted one and its successor) never adopt each
 * other's tickets.
 */
export const integrationTag = (integrationId: string): string =>
  keyDigest(integrationId).slice(0, 10);

/**
 * The ticket's `externalXRef`: the lookup key that makes its create idempotent (§8.1),
 * `dfx:<integration tag>:<key>[:r<n>]` (a key longer than the field allows keeps a digest). Never
 * equal to a legacy one (`dfx:evt:…`: its second part is not ten hex digits).
 */
export const externalXRefOf = (
  ref: Pick<TicketRef, 'integrationId' | 'key' | 'generation'>,
): string => fitKey(`dfx:${integrationTag(ref.integrationId)}:${keyOf(ref)}`, XREF_MAX);

/**
 * The externalXRef tickets had before it named the integration: still looked up for an event
 * whose row recorded that ticket (so events open across the change keep their ticket).
 */
export const legacyXRefOf = (ref: Pick<TicketRef, 'key' | 'generation'>): string =>
  `dfx:evt:${keyOf(ref)}`;

/**
 * Ends every note the engine writes, so a retried POST finds the note before sending it again:
 * the event key, its generation and the note's own sequence number in this ticket (looked up in
 * this ticket's notes only, so it needs no integration mark).
 */
export const noteMarker = (ref: Pick<TicketRef, 'key' | 'generation'>, seq: number): string =>
  `[${legacyXRefOf(ref)}#${seq}]`;

/** The vendor console's page for the event, if the vendor sent one. */
function linkLine(event: Pick<SecurityEvent, 'url'>): string[] {
  return event.url ? [`Details in the DefensX console: ${event.url}`] : [];
}

/** The ticket's `initialDescription`: what happened, to whom, when, and where to look. */
export function initialDescription(event: SecurityEvent, customer: string): string {
  return [
    event.description.slice(0, EVENT_LIMITS.description),
    '',
    `Customer: ${customer}`,
    `Severity: ${SEVERITY_WORD[event.severity]}`,
    ...(event.category ? [`Category: ${event.category}`] : []),
    `Occurred: ${event.occurredAt}`,
    `Event key: ${event.key}`,
    ...linkLine(event),
    '',
    'Created by the DefensX integration; it is closed when DefensX resolves the event.',
  ].join('\n');
}

/** Occurrences gathered in one coalescing window. */
export interface OccurrenceBatch {
  count: number;
  first: string;
  last: string;
}

/** `occurred 12 more times between … and …`, ending with the note's marker. */
export function occurrencesNote(batch: OccurrenceBatch, marker: string): string {
  const what =
    batch.count === 1
      ? `The event occurred again at ${batch.first}.`
      : `The event occurred ${batch.count} more times between ${batch.first} and ${batch.last}.`;
  return `${what}\n${marker}`;
}

export function resolutionNote(resolution: string | undefined, marker: string): string {
  const text = resolution?.trim()
    ? `Resolved in DefensX: ${resolution.trim()}`
    : 'Resolved in DefensX.';
  return `${text}\n${marker}`;
}

export function reopenNote(at: string, marker: string): string {
  return `The event occurred again at ${at}, within the reopen window: ticket reopened.\n${marker}`;
}
