/** The severities of a DefensX security event, lowest first. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Ticket settings as stored (db/repositories/integrations.ts). The policy fields are optional
 * (older integrations have none); `ticketPolicyOf` supplies defaults.
 */
export interface TicketSettings {
  enabled: boolean;
  boardId?: number;
  sourceId?: number;
  initialStatusId?: number;
  closingStatusId?: number;
  priorityBySeverity?: Partial<Record<Severity, number>>;
  processNotifications?: boolean;
  noteWindowMinutes?: number;
  pollMinutes?: number;
  reopenWindowHours?: number;
  maxEventAgeHours?: number;
}

/**
 * How the ticket integration behaves, every default applied. Stored settings may lack any field
 * but `enabled` (older integrations have none of the policy); `ticketPolicyOf` fills them.
 */
export interface TicketPolicy {
  enabled: boolean;
  boardId?: number;
  sourceId?: number;
  initialStatusId?: number;
  closingStatusId?: number;
  /** A ConnectWise priority id per severity; a severity left out gets ConnectWise's default. */
  priorityBySeverity: Partial<Record<Severity, number>>;
  /**
   * ConnectWise's own default is true (it emails the contact); automated security tickets
   * should not reach customers unless the MSP opts in.
   */
  processNotifications: boolean;
  /** Repeat occurrences of an open event are coalesced into one ticket note per window. */
  noteWindowMinutes: number;
  /** An occurrence this long after the resolve reopens the same ticket; 0: never. */
  reopenWindowHours: number;
  /** Events held longer than this while no ticket can be created are recorded as expired. */
  maxEventAgeHours: number;
  /** The backstop: open tickets read again this often, whatever callbacks said. */
  pollMinutes: number;
}

export const TICKET_DEFAULTS = {
  noteWindowMinutes: 15,
  reopenWindowHours: 0,
  maxEventAgeHours: 168,
  pollMinutes: 15,
  processNotifications: false,
} as const;

const TICKET_IDS = ['boardId', 'sourceId', 'initialStatusId', 'closingStatusId'] as const;

const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

const numberOr = (value: unknown, fallback: number): number => (isNumber(value) ? value : fallback);

/** Only the known severities with an id, copied: the caller may change the answer freely. */
function prioritiesOf(
  stored: Partial<Record<Severity, number>> | null | undefined,
): Partial<Record<Severity, number>> {
  const priorities: Partial<Record<Severity, number>> = {};
  for (const severity of SEVERITIES) {
    const id: unknown = stored?.[severity];
    if (isNumber(id)) priorities[severity] = id;
  }
  return priorities;
}

/** Stored ticket settings with every default applied; disabled when never set. */
export function ticketPolicyOf(settings: TicketSettings | null | undefined): TicketPolicy {
  const s = settings ?? undefined;
  const policy: TicketPolicy = {
    enabled: s?.enabled === true,
    priorityBySeverity: prioritiesOf(s?.priorityBySeverity),
    processNotifications:
      typeof s?.processNotifications === 'boolean'
        ? s.processNotifications
        : TICKET_DEFAULTS.processNotifications,
    noteWindowMinutes: numberOr(s?.noteWindowMinutes, TICKET_DEFAULTS.noteWindowMinutes),
    reopenWindowHours: numberOr(s?.reopenWindowHours, TICKET_DEFAULTS.reopenWindowHours),
    maxEventAgeHours: numberOr(s?.maxEventAgeHours, TICKET_DEFAULTS.maxEventAgeHours),
    pollMinutes: numberOr(s?.pollMinutes, TICKET_DEFAULTS.pollMinutes),
  };
  for (const key of TICKET_IDS) {
    const id: unknown = s?.[key];
    if (isNumber(id)) policy[key] = id;
  }
  return policy;
}
