import { When } from '../../components/ui';
import { RunResults } from './run-results';
import { KINDS, OUTCOME_BADGE, OUTCOMES, TRIGGERS, labelOf, type RunDetailAnswer } from './runs';

/** A count as the API gives it (numbers, or a small object of them). */
const countText = (value: unknown): string => {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return String(value);
  if (value && typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k} ${countText(v)}`)
      .join(', ');
  return '—';
};

/** A run's facts (outcome, kind, times, workflow), its counts and its customers' results. */
export function RunBody({ detail }: { detail: RunDetailAnswer }) {
  const { run, temporalUiUrl } = detail;
  const counts = Object.entries(run.counts ?? {});
  return (
    <>
      <dl className="run-facts">
        <div>
          <dt>Outcome</dt>
          <dd>
            <span className={`badge ${OUTCOME_BADGE[run.outcome]}`}>
              {labelOf(OUTCOMES, run.outcome)}
            </span>
          </dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>
            {labelOf(KINDS, run.kind)} · {labelOf(TRIGGERS, run.trigger)}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <When at={run.startedAt} />
          </dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>
            <When at={run.endedAt} />
          </dd>
        </div>
        {run.summary ? (
          <div>
            <dt>Summary</dt>
            <dd>{run.summary}</dd>
          </div>
        ) : null}
        <div>
          <dt>Workflow</dt>
          <dd>
            <code>{run.workflowId}</code>
            {temporalUiUrl ? (
              <>
                {' '}
                <a href={temporalUiUrl} target="_blank" rel="noopener noreferrer">
                  Open this run in the Temporal UI
                  <span className="visually-hidden"> (opens in a new tab)</span>
                </a>
              </>
            ) : null}
          </dd>
        </div>
      </dl>
      {counts.length > 0 ? (
        <>
          <h3>Counts</h3>
          <dl className="run-counts">
            {counts.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{countText(value)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      <RunResults detail={detail} />
    </>
  );
}
