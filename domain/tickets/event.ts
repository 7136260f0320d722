import type { Severity } from './settings';

/** An event key: the vendor's id for one security event, unique per integration. */
export const EVENT_KEY = /^[A-Za-z0-9:._-]{1,80}$/;
export const EVENT_LIMITS = {
  title: 200,
  description: 4000,
  category: 100,
  url: 2000,
  resolution: 2000,
  /** Events in one `POST …/events`. */
  batch: 500,
} as const;

/** A security event as the vendor reports it (api/v1/event-routes.ts validates it). */
export interface SecurityEvent {
  key: string;
  customerId: string;
  title: string;
  severity: Severity;
  description: string;
  /** ISO 8601, when it happened (the first occurrence for a new event). */
  occurredAt: string;
  category?: string;
  url?: string;
}

/** Where an event's ticket stands; `pending` while it waits (held, or not created yet). */
export const TICKET_STATES = [
  'pending',
  'open',
  'resolved',
  'closed_in_connectwise',
  'deleted_in_connectwise',
  'skipped',
  'failed',
  'expired',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/**
 * One event's ticket: `generation` counts the tickets an event key has had (a new ticket after a
 * resolve whose reopen window has passed gets the next one, and its own externalXRef).
 */
export interface TicketRef {
  partnerId: string;
  integrationId: string;
  key: string;
  generation: number;
}
