/** The Status screen's API types, and how a run's kind, trigger and outcome are named. */
import type { paths } from '../../api/schema';

export type StatusAnswer =
  paths['/partners/{partnerId}/connectwise/status']['get']['responses'][200]['content']['application/json'];
export type RunsQuery = NonNullable<
  paths['/partners/{partnerId}/connectwise/sync-runs']['get']['parameters']['query']
>;
export type Run =
  paths['/partners/{partnerId}/connectwise/sync-runs']['get']['responses'][200]['content']['application/json']['runs'][number];
export type RunDetailAnswer =
  paths['/partners/{partnerId}/connectwise/sync-runs/{id}']['get']['responses'][200]['content']['application/json'];
export type Kind = NonNullable<RunsQuery['kind']>;
export type Trigger = NonNullable<RunsQuery['trigger']>;
export type Outcome = NonNullable<RunsQuery['outcome']>;

export const KINDS: Array<{ value: Kind; label: string }> = [
  { value: 'billing', label: 'Billing' },
  { value: 'validation', label: 'Validation' },
];
export const TRIGGERS: Array<{ value: Trigger; label: string }> = [
  { value: 'schedule', label: 'Schedule' },
  { value: 'manual', label: 'Synchronize' },
  { value: 'config_change', label: 'Settings change' },
];
export const OUTCOMES: Array<{ value: Outcome; label: string }> = [
  { value: 'running', label: 'Running' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'partial', label: 'Partial' },
  { value: 'failed', label: 'Failed' },
  { value: 'skipped', label: 'Skipped' },
  { value: 'cancelled', label: 'Cancelled' },
];
export const OUTCOME_BADGE: Record<Outcome, string> = {
  running: 'badge-warn',
  succeeded: 'badge-ok',
  partial: 'badge-warn',
  failed: 'badge-bad',
  skipped: 'badge-muted',
  cancelled: 'badge-warn',
};
export const labelOf = (list: Array<{ value: string; label: string }>, value: string) =>
  list.find((o) => o.value === value)?.label ?? value;
