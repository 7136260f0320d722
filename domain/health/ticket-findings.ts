import {
  type HealthIssueKind,
  type HealthObject,
  type HealthFinding,
  sentence,
  INTEGRATION_OBJECT,
} from './issue-model';

/**
 * The health findings of tickets: settings ConnectWise refuses, its callback, and security events
 * held or expired without a ticket, in an MSP's words.
 */

/** The ticket settings as a whole (a board, status or source of them no longer usable). */
const TICKET_SETTINGS: HealthObject = { type: 'board', id: 'ticket-settings' };

export const ticketSettingUnusable = (problem: string): HealthFinding => ({
  kind: 'ticket_setting_unusable',
  object: TICKET_SETTINGS,
  message: `ConnectWise refuses tickets under the saved ticket settings (${problem}): security events are held, no ticket is created.`,
  fix: 'Open Tickets, choose a board, source and statuses that exist and are active in ConnectWise, and save: the held events then become tickets.',
});

export const callbackMissing = (problem: string): HealthFinding => ({
  kind: 'callback_missing',
  object: { type: 'callback', id: 'tickets' },
  message: `ConnectWise cannot tell the engine when a technician changes a ticket: ${problem}. Ticket changes show only at the next poll.`,
  fix: 'Set PUBLIC_BASE_URL to an address ConnectWise can reach, and grant the API member System > Table Setup (callbacks); then save the ticket settings again.',
});

export const callbackUnverified = (why: string): HealthFinding => ({
  kind: 'callback_unverified',
  object: { type: 'callback', id: 'tickets' },
  message: `A ConnectWise callback delivery was refused: ${sentence(why)} Until deliveries verify, ticket changes show only at the next poll.`,
  fix: 'Check that the callback in ConnectWise (System > Integrator Login / callbacks) is the one the engine registered, and that ConnectWise signs it with its current key; saving the ticket settings registers it again.',
});

/** Kinds about ticket work waiting: resolved when what held it is fixed. */
export const TICKET_HOLD_KINDS: readonly HealthIssueKind[] = ['events_held', 'events_expired'];

export const eventsHeld = (why: string): HealthFinding => ({
  kind: 'events_held',
  object: INTEGRATION_OBJECT,
  message: `Security events wait without a ticket: ${sentence(why)} They become tickets once that is fixed, unless they expire first.`,
  fix: 'Fix what holds them (the keys, the ticket settings, or resume the integration); the issues beside this one say how.',
});

export const eventsExpired = (key: string, why: string): HealthFinding => ({
  kind: 'events_expired',
  object: INTEGRATION_OBJECT,
  message: `Security events expired without a ticket (the latest: ${key}, ${why}).`,
  fix: 'Fix what held them, then look at the expired events (GET …/events?state=expired) in the vendor console: no ticket will be made for them.',
});
