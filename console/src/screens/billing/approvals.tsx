import { useEffect, useState } from 'react';
import { ok } from '../../api/client';
import { Button, ErrorBanner, StatusLine, When } from '../../components/ui';
import { usePartner } from '../../partner';
import { PlanView } from './plan-view';
import { RunLine } from './run-line';
import type { Names, Plan, RunProgress, Status } from './types';

const TRIGGER_TEXT: Record<string, string> = {
  schedule: 'scheduled',
  manual: 'Synchronize',
  config_change: 'settings change',
};

/**
 * A run that holds changes for a decision (apply mode "approve", or the safety valve): the status
 * names it (phase `awaiting_approval`), its held plan is GET …/billing/runs/{runKey}/plan, and
 * Approve / Reject is POST …/decision. One billing run goes on at a time per integration.
 */
export function Approvals({
  status,
  statusError,
  names,
  approvalMode,
  onDecided,
}: {
  status: Status | undefined;
  statusError: unknown;
  names: Names;
  approvalMode: boolean;
  onDecided: () => void;
}) {
  const progress = status?.runProgress;
  const waiting = progress?.phase === 'awaiting_approval' ? progress : undefined;
  const [decided, setDecided] = useState<{ runKey: string; text: string }>();
  return (
    <div className="approvals">
      {statusError ? <ErrorBanner error={statusError} /> : null}
      {waiting && waiting.runKey !== decided?.runKey ? (
        <HeldRun
          key={waiting.runKey}
          run={waiting}
          names={names}
          approvalMode={approvalMode}
          onDecided={(text) => {
            setDecided({ runKey: waiting.runKey, text });
            onDecided();
          }}
        />
      ) : status ? (
        <p>No billing run is waiting for a decision.</p>
      ) : (
        <p>Reading the integration&apos;s status…</p>
      )}
      {decided ? (
        <>
          <StatusLine>{decided.text}</StatusLine>
          <RunLine status={status} runWorkflowId={decided.runKey} />
        </>
      ) : null}
    </div>
  );
}

function HeldRun({
  run,
  names,
  approvalMode,
  onDecided,
}: {
  run: RunProgress;
  names: Names;
  approvalMode: boolean;
  onDecided: (text: string) => void;
}) {
  const { api, path } = usePartner();
  const [plan, setPlan] = useState<Plan>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<'approve' | 'reject'>();
  const runPath = { ...path, runKey: run.runKey };
  useEffect(() => {
    let live = true;
    ok(
      api.GET('/partners/{partnerId}/connectwise/billing/runs/{runKey}/plan', {
        params: { path: { ...path, runKey: run.runKey } },
      }),
    ).then(
      (p) => live && setPlan(p),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [api, path, run.runKey]);

  async function decide(decision: 'approve' | 'reject') {
    setBusy(decision);
    setError(undefined);
    try {
      const answer = await ok(
        api.POST('/partners/{partnerId}/connectwise/billing/runs/{runKey}/decision', {
          params: { path: runPath },
          body: { decision },
        }),
      );
      const n = `${answer.agreements} agreement${answer.agreements === 1 ? '' : 's'}`;
      onDecided(
        decision === 'approve'
          ? `Approved: the run writes the held plan of ${n}.`
          : `Rejected: nothing of the ${n} held is written; the next run plans again.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  const heldWhy = approvalMode
    ? 'Apply mode is "approve": every run waits for a decision before writing.'
    : undefined;
  return (
    <section className="held-run" aria-label={`Run ${run.runKey} waiting for a decision`}>
      <p>
        <span className="badge badge-warn">Waiting for a decision</span> Run{' '}
        <code>{run.runKey}</code> ({TRIGGER_TEXT[run.trigger] ?? run.trigger}) holds{' '}
        <strong>
          {run.held ?? '?'} agreement{run.held === 1 ? '' : 's'}
        </strong>
        {run.approvalExpiresAt ? (
          <>
            {' '}
            until <When at={run.approvalExpiresAt} /> (then dropped, nothing written)
          </>
        ) : null}
        .
      </p>
      <ErrorBanner error={error} />
      {plan ? (
        <PlanView plan={plan} names={names} heldWhy={heldWhy} headingLevel={4} />
      ) : error ? null : (
        <p>Reading the held plan…</p>
      )}
      <div className="actions">
        <Button
          kind="primary"
          busy={busy === 'approve'}
          disabled={busy !== undefined}
          onClick={() => void decide('approve')}
        >
          Approve
        </Button>
        <Button
          kind="danger"
          busy={busy === 'reject'}
          disabled={busy !== undefined}
          onClick={() => void decide('reject')}
        >
          Reject
        </Button>
      </div>
    </section>
  );
}
