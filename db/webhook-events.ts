import type { TicketState } from '../domain/tickets/event';
import type { BillingApproval, NewApproval } from './repositories/billing-approval-record';
import type { HealthIssue } from './repositories/health-issue-record';
import type { WebhookEvent } from './repositories/webhook-delivery-record';

/**
 * The events the repositories emit when what they store changes (domain/webhooks/events.ts has
 * the list): ids, states and times, never a secret. Each `key` names the change itself, so the
 * same change written again (a retried step) is the same event.
 */

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

type Scope = { integrationId: string };

export function healthIssueEvent(
  scope: Scope,
  type: 'health_issue.opened' | 'health_issue.resolved',
  issue: HealthIssue,
): WebhookEvent {
  const at = type === 'health_issue.opened' ? issue.firstSeen : issue.resolvedAt;
  return {
    type,
    key: `${scope.integrationId}/${issue.id}/${iso(at) ?? ''}`,
    data: {
      integrationId: scope.integrationId,
      issue: {
        id: issue.id,
        kind: issue.kind,
        object: issue.object,
        message: issue.message,
        fix: issue.fix,
        state: issue.state,
        firstSeen: iso(issue.firstSeen),
        lastSeen: iso(issue.lastSeen),
        ...(issue.resolvedAt ? { resolvedAt: iso(issue.resolvedAt) } : {}),
        ...(issue.resolvedBy ? { resolvedBy: issue.resolvedBy } : {}),
      },
    },
  };
}

/** A run recorded with its final outcome (one event per run, however often it is recorded). */
export function syncRunCompletedEvent(run: {
  id: string;
  integrationId: string;
  kind: string;
  trigger: string;
  runKey: string;
  workflowId: string;
  outcome: string;
  summary?: string | null;
  startedAt: Date;
  endedAt?: Date | null;
  counts?: unknown;
}): WebhookEvent {
  return {
    type: 'sync_run.completed',
    key: `${run.integrationId}/${run.runKey}`,
    data: {
      integrationId: run.integrationId,
      syncRunId: run.id,
      runKey: run.runKey,
      workflowId: run.workflowId,
      kind: run.kind,
      trigger: run.trigger,
      outcome: run.outcome,
      summary: run.summary ?? null,
      startedAt: iso(run.startedAt),
      endedAt: iso(run.endedAt),
      counts: run.counts ?? null,
    },
  };
}

const approvalData = (
  a: Pick<
    BillingApproval,
    | 'integrationId'
    | 'approvalId'
    | 'planHash'
    | 'agreementId'
    | 'customerId'
    | 'companyId'
    | 'runKey'
  >,
) => ({
  integrationId: a.integrationId,
  approvalId: a.approvalId,
  planHash: a.planHash,
  agreementId: a.agreementId,
  customerId: a.customerId,
  companyId: a.companyId,
  runKey: a.runKey,
});

/** A new plan held for the partner (a plan already pending again is the same event). */
export function approvalPendingEvent(a: NewApproval): WebhookEvent {
  return {
    type: 'billing.approval_pending',
    key: `${a.integrationId}/${a.approvalId}`,
    data: {
      ...approvalData(a),
      status: 'pending',
      reasons: a.reasons,
      seats: a.seats,
      createdAt: iso(a.createdAt),
      expiresAt: iso(a.expiresAt),
    },
  };
}

export function approvalDecidedEvent(a: BillingApproval): WebhookEvent {
  return {
    type: 'billing.approval_decided',
    key: `${a.integrationId}/${a.approvalId}`,
    data: {
      ...approvalData(a),
      status: a.status,
      decidedBy: a.decidedBy ?? null,
      decidedAt: iso(a.decidedAt),
    },
  };
}

/** What an event's row held before a write, and holds after it. */
export interface TicketRowState {
  state: TicketState;
  ticketId: number | null;
  generation: number;
}

export type TicketEventType =
  | 'ticket.created'
  | 'ticket.closed'
  | 'ticket.closed_in_connectwise'
  | 'ticket.reopened'
  | 'ticket.deleted_in_connectwise';

/**
 * The ticket event one write made, if any: a ticket recorded that the row did not have
 * (created or found by its externalXRef), or its state moving to closed (by the engine, on a
 * resolve), closed or deleted in ConnectWise, or open again after a close. Decided from the row as
 * the write found it, so a write repeated (a retry) changes nothing and tells nothing.
 */
export function ticketTransitionOf(
  before: TicketRowState | null,
  after: TicketRowState,
): TicketEventType | undefined {
  if (after.ticketId === null) return undefined;
  if (before?.ticketId !== after.ticketId || before.generation !== after.generation)
    return after.state === 'open' ? 'ticket.created' : undefined;
  if (before.state === after.state) return undefined;
  switch (after.state) {
    case 'resolved':
      return 'ticket.closed';
    case 'closed_in_connectwise':
      return 'ticket.closed_in_connectwise';
    case 'deleted_in_connectwise':
      return 'ticket.deleted_in_connectwise';
    case 'open':
      return before.state === 'resolved' || before.state === 'closed_in_connectwise'
        ? 'ticket.reopened'
        : undefined;
    default:
      return undefined;
  }
}

export function ticketEvent(
  scope: Scope,
  type: TicketEventType,
  row: { key: string; customerId: string; generation: number; ticketId: number; state: string },
  change: { at: Date; by: string | null; reason: string | null },
): WebhookEvent {
  return {
    type,
    key: `${scope.integrationId}/${row.key}/${row.generation}/${row.ticketId}/${change.at.toISOString()}`,
    data: {
      integrationId: scope.integrationId,
      eventKey: row.key,
      customerId: row.customerId,
      generation: row.generation,
      ticketId: row.ticketId,
      state: row.state,
      by: change.by,
      reason: change.reason,
      at: iso(change.at),
    },
  };
}
