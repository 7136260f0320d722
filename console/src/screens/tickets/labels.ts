/** How severities and ticket states are named and badged on the Service Ticket screen. */
import type { paths } from '../../api/schema';

type Settings =
  paths['/partners/{partnerId}/connectwise/ticket-settings']['get']['responses'][200]['content']['application/json'];
export type Severity = keyof Settings['priorityBySeverity'];
type TicketsPath = paths['/partners/{partnerId}/connectwise/tickets']['get'];
export type TicketState = NonNullable<NonNullable<TicketsPath['parameters']['query']>['state']>;
export type Ticket =
  TicketsPath['responses'][200]['content']['application/json']['tickets'][number];

/** The severities a security event has (the API's priorityBySeverity keys), lowest first. */
export const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
export const SEVERITY_LABEL: Record<Severity, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};
export const STATES: Array<{ value: TicketState; label: string }> = [
  { value: 'pending', label: 'Pending' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'closed_in_connectwise', label: 'Closed in ConnectWise' },
  { value: 'deleted_in_connectwise', label: 'Deleted in ConnectWise' },
  { value: 'skipped', label: 'Skipped' },
  { value: 'failed', label: 'Failed' },
  { value: 'expired', label: 'Expired' },
];
export const STATE_BADGE: Record<TicketState, string> = {
  pending: 'badge-warn',
  open: 'badge-ok',
  resolved: 'badge-muted',
  closed_in_connectwise: 'badge-muted',
  deleted_in_connectwise: 'badge-warn',
  skipped: 'badge-muted',
  failed: 'badge-bad',
  expired: 'badge-bad',
};
