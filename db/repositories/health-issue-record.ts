import type { HealthIssueKind, HealthObject } from '../../domain/health/issues';

/**
 * A health issue as db/repositories/health-issues.ts gives it, and as db/webhook-events.ts tells
 * it: its own module, so the two need not import each other.
 */

export interface HealthIssue {
  id: string;
  kind: HealthIssueKind;
  object: HealthObject;
  message: string;
  fix: string;
  state: 'open' | 'resolved';
  firstSeen: Date;
  lastSeen: Date;
  occurrences: number;
  resolvedAt?: Date;
  resolvedBy?: string;
}

/** What one check changed: issues it opened (new, or found again after a resolve) and resolved. */
export interface HealthChanges {
  opened: HealthIssue[];
  resolved: HealthIssue[];
}
