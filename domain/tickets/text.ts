import { EVENT_LIMITS, type SecurityEvent, type TicketRef } from './event';
import type { Severity } from './settings';

/** ConnectWise's limit for `summary` (API-NOTES §5 Ticket). */
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

/** The ticket's `externalXRef`: the lookup key that makes its create idempotent (§8.1). */
export function externalXRefOf(ref: Pick<TicketRef, 'key' | 'generation'>): string {
  return ref.generation === 0 ? `dfx:evt:${ref.key}` : `dfx:evt:${ref.key}:r${ref.generation}`;
}

/**
 * Ends every note the engine writes, so a retried POST finds the note before sending it again:
 * the event's xref and the note's own sequence number in this ticket.
 */
export const noteMarker = (ref: Pick<TicketRef, 'key' | 'generation'>, seq: number): string =>
  `[${externalXRefOf(ref)}#${seq}]`;

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
