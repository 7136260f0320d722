import type { StatusAnswer } from './runs';

const PHASES: Record<NonNullable<StatusAnswer['runProgress']>['phase'], string> = {
  preparing: 'Preparing',
  reconciling: 'Reconciling agreements',
  recording: 'Recording',
  done: 'Finishing',
};

/** The running sync: a progress bar and a line read out as it changes. */
export function Progress({ status, following }: { status?: StatusAnswer; following?: string }) {
  const progress = status?.runProgress ?? null;
  const current = status?.workflow?.currentRun;
  // The run's key is its workflow id: another run's progress is not this one's.
  const shown = progress && (!following || progress.runKey === following) ? progress : null;
  let text = 'Synchronization queued…';
  if (shown && shown.agreementsTotal === 0) {
    text = `${PHASES[shown.phase]}…`;
  } else if (shown) {
    const ops = shown.operationsApplied;
    text = `${PHASES[shown.phase]}: ${shown.agreementsDone} of ${shown.agreementsTotal} agreements done, ${ops} ${ops === 1 ? 'operation' : 'operations'} applied`;
    text += '.';
  } else if (following && current?.runWorkflowId === following) {
    text = 'Synchronizing: starting…';
  }
  return (
    <div className="sync-progress">
      {shown && shown.agreementsTotal > 0 ? (
        <progress
          aria-label="Synchronization progress"
          value={shown.agreementsDone}
          max={shown.agreementsTotal}
        />
      ) : (
        <progress aria-label="Synchronization progress" />
      )}
      <p role="status">{text}</p>
    </div>
  );
}
