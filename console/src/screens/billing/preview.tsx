import { useState } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Button, ErrorBanner, StatusLine } from '../../components/ui';
import { usePartner } from '../../partner';
import { PlanView } from './plan-view';
import { RunLine } from './run-line';
import type { ApplyAnswer, Names, Plan, Status } from './types';

/** The 409 `plan_changed` body: the error with the plan as it is now. */
const changedPlanOf = (err: unknown): Plan | undefined =>
  err instanceof ApiError && err.code === 'plan_changed'
    ? (err.body as { error?: { plan?: Plan } } | undefined)?.error?.plan
    : undefined;

/**
 * Preview: the exact operations the next run would make, written nowhere (a dry run). Apply: a
 * run that writes only that plan, if planning again gives the same planHash; otherwise the API
 * answers 409 with the new plan, shown here to review and apply instead.
 */
export function PreviewSection({ names, status }: { names: Names; status: Status | undefined }) {
  const { api, path } = usePartner();
  const [plan, setPlan] = useState<Plan>();
  const [busy, setBusy] = useState<'preview' | 'apply'>();
  const [error, setError] = useState<unknown>();
  const [changed, setChanged] = useState(false);
  const [queued, setQueued] = useState<ApplyAnswer>();

  async function preview() {
    setBusy('preview');
    setError(undefined);
    setChanged(false);
    setQueued(undefined);
    try {
      setPlan(
        await ok(
          api.POST('/partners/{partnerId}/connectwise/billing/preview', { params: { path } }),
        ),
      );
    } catch (err) {
      setPlan(undefined);
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  async function apply(planHash: string) {
    setBusy('apply');
    setError(undefined);
    setChanged(false);
    try {
      setQueued(
        await ok(
          api.POST('/partners/{partnerId}/connectwise/billing/apply', {
            params: { path },
            body: { planHash },
          }),
        ),
      );
    } catch (err) {
      const fresh = changedPlanOf(err);
      if (fresh) {
        setPlan(fresh);
        setChanged(true);
      } else setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <div className="preview">
      <div className="actions">
        <Button
          kind="secondary"
          busy={busy === 'preview'}
          disabled={busy !== undefined}
          onClick={() => void preview()}
        >
          Preview
        </Button>
        {plan && !queued ? (
          <Button
            kind="primary"
            busy={busy === 'apply'}
            disabled={busy !== undefined}
            onClick={() => void apply(plan.planHash)}
          >
            Apply
          </Button>
        ) : null}
      </div>
      {busy === 'preview' ? (
        <StatusLine>Planning every agreement (a dry run: nothing is written)…</StatusLine>
      ) : null}
      {busy === 'apply' ? (
        <StatusLine>
          Planning again to check the plan is unchanged, then queuing the run…
        </StatusLine>
      ) : null}
      <ErrorBanner error={error} />
      {changed ? (
        <div className="banner banner-warn" role="alert">
          The plan changed since that preview (ConnectWise or the usage changed): nothing was
          applied. Review the new plan below and apply it if it is right.
        </div>
      ) : null}
      {queued ? (
        <>
          <StatusLine>
            {queued.joined
              ? 'The plan will be applied by the run already queued.'
              : 'Applying: a run was queued that writes only this plan.'}
          </StatusLine>
          <RunLine status={status} runWorkflowId={queued.runWorkflowId} />
        </>
      ) : null}
      {plan ? (
        <section aria-label="Billing plan">
          <PlanView plan={plan} names={names} />
        </section>
      ) : null}
    </div>
  );
}
