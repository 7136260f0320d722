import { LastValidation } from '../../components/last-validation';
import { When } from '../../components/ui';
import type { StatusAnswer } from './runs';

/** The integration's state, its health problems, the lifecycle workflow and the last validation. */
export function Overview({ status }: { status: StatusAnswer }) {
  const { workflow, lastValidation } = status;
  const problems = [
    ...(status.workflowProblem === 'not_running'
      ? ['The lifecycle workflow is not running: pause and resume the integration to restart it.']
      : []),
    ...(status.workflowProblem === 'unavailable'
      ? ['Temporal is unavailable: the lifecycle workflow could not be asked.']
      : []),
    ...(status.ticketSettingsProblem ? [`Tickets are held: ${status.ticketSettingsProblem}`] : []),
    ...(lastValidation && !lastValidation.ok ? lastValidation.problems : []),
  ];
  const stateBadge =
    status.state === 'active' ? 'badge-ok' : status.state === 'paused' ? 'badge-warn' : 'badge-bad';
  return (
    <dl className="status-overview">
      <div>
        <dt>State</dt>
        <dd>
          <span className={`badge ${stateBadge}`}>{status.state.replace(/_/g, ' ')}</span>
          {status.stateReason ? <span className="hint"> {status.stateReason}</span> : null}
        </dd>
      </div>
      <div>
        <dt>Health</dt>
        <dd>
          {problems.length === 0 ? (
            <span className="badge badge-ok">healthy</span>
          ) : (
            <ul className="problems">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </dd>
      </div>
      <div>
        <dt>Lifecycle workflow</dt>
        <dd>
          {workflow ? (
            <>
              {workflow.lifecycle}
              {workflow.nextRunAt ? (
                <>
                  {' '}
                  · next run <When at={workflow.nextRunAt} />
                </>
              ) : null}
            </>
          ) : (
            'not running'
          )}
        </dd>
      </div>
      <div>
        <dt>Last validation</dt>
        <dd>
          <LastValidation last={lastValidation} />
        </dd>
      </div>
    </dl>
  );
}
