import type { IntegrationRecord, Repositories } from '../../db';
import { ticketPolicyOf, type TicketPolicy } from '../../domain/tickets/settings';
import { REJECTED_KEYS, type TicketTimes } from '../../domain/tickets/steps';

/** The integration and its ticket policy, when ticket work may go to ConnectWise now. */
export interface TicketContext {
  integration: IntegrationRecord;
  policy: TicketPolicy &
    Required<Pick<TicketPolicy, 'boardId' | 'initialStatusId' | 'closingStatusId'>>;
  times: TicketTimes;
}

export const timesOf = (policy: TicketPolicy): TicketTimes => ({
  noteWindowMinutes: policy.noteWindowMinutes,
  reopenWindowHours: policy.reopenWindowHours,
  maxEventAgeHours: policy.maxEventAgeHours,
});

/**
 * Whether ticket work can go to ConnectWise now, from the database alone (no ConnectWise call):
 * `off` when ticket integration is turned off (or never set up), `held` while the integration is
 * paused or its keys rejected, or its ticket settings were found invalid in ConnectWise.
 */
export function ticketContextOf(
  integration: IntegrationRecord,
): TicketContext | { off: string; times: TicketTimes } | { held: string; times: TicketTimes } {
  const policy = ticketPolicyOf(integration.ticketSettings);
  const times = timesOf(policy);
  const { boardId, initialStatusId, closingStatusId } = policy;
  if (!policy.enabled || !boardId || !initialStatusId || !closingStatusId)
    return { off: 'ticket integration is turned off', times };
  if (integration.state === 'credentials_invalid') return { held: REJECTED_KEYS, times };
  if (integration.state !== 'active')
    return { held: `the integration is ${integration.state.replace('_', ' ')}`, times };
  if (integration.ticketSettingsProblem)
    return { held: `the ticket settings are invalid: ${integration.ticketSettingsProblem}`, times };
  return { integration, policy: { ...policy, boardId, initialStatusId, closingStatusId }, times };
}

export type TicketRepos = Pick<
  Repositories,
  'integrations' | 'companyMappings' | 'vendor' | 'ticketEvents' | 'ticketHistory' | 'healthIssues'
>;
