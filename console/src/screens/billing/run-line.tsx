import { Link } from 'wouter';
import { runStateOf } from './use-status';
import type { Status } from './types';

const PHASE_TEXT: Record<string, string> = {
  preparing: 'preparing (snapshot, agreements, catalog)',
  reconciling: 'writing to ConnectWise',
  recording: 'recording',
  done: 'finishing',
};

/** A queued billing run, followed live: queued → running (phase, agreements done) → outcome. */
export function RunLine({
  status,
  runWorkflowId,
}: {
  status: Status | undefined;
  runWorkflowId: string;
}) {
  const run = runStateOf(status, runWorkflowId);
  return (
    <p className="run-line" role="status">
      Run <code>{runWorkflowId}</code>:{' '}
      {run.state === 'queued' ? (
        'queued'
      ) : run.state === 'running' ? (
        <>
          {PHASE_TEXT[run.phase] ?? run.phase}
          {run.total > 0 ? ` (${run.done} of ${run.total} agreements)` : ''}
        </>
      ) : (
        <>
          <span
            className={`badge ${run.outcome === 'succeeded' ? 'badge-ok' : run.outcome === 'failed' ? 'badge-bad' : 'badge-warn'}`}
          >
            {run.outcome}
          </span>{' '}
          {run.summary}
        </>
      )}{' '}
      · <Link href="/status">Follow it on Status</Link>
    </p>
  );
}
