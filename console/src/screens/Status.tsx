import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import { Button, ErrorBanner, Screen, StatusLine } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import { HealthIssues } from './status/health-issues';
import { History, useHistory } from './status/history';
import { Overview } from './status/overview';
import { Progress } from './status/progress';
import { RunDetail } from './status/run-detail';
import { OUTCOMES, labelOf } from './status/runs';
import { useSynchronize } from './status/use-synchronize';
import './status.css';

/**
 * Status: the integration's state and health, Synchronize and the run it started, the health
 * issues, and the history of sync runs with each run's details.
 */
export function Status() {
  const { api, path } = usePartner();
  const status = useLoad(
    () => ok(api.GET('/partners/{partnerId}/connectwise/status', { params: { path } })),
    [api, path.partnerId],
  );
  const [openRun, setOpenRun] = useState<string>();
  const history = useHistory();

  const data = status.data;
  const { reload } = status;
  const { following, starting, syncError, finished, synchronize } = useSynchronize(
    data,
    reload,
    history.reload,
  );
  const running = following !== undefined || Boolean(data?.runProgress);

  // While a run is queued or running: status again every second.
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => void reload(), 1000);
    return () => clearTimeout(timer);
  }, [running, data, status.error, reload]);

  if (status.error instanceof ApiError && status.error.status === 404 && !data) {
    return (
      <Screen title="Status">
        <p className="banner banner-warn">
          There is no integration yet. Create one under{' '}
          <Link href="/integration">Integration details</Link>.
        </p>
      </Screen>
    );
  }

  return (
    <Screen
      title="Status"
      intro="The integration's state and health, its synchronizations with ConnectWise, and what each one changed."
    >
      {status.error && !data ? <ErrorBanner error={status.error} /> : null}
      {data ? <Overview status={data} /> : <p role="status">Loading the status…</p>}

      <div className="actions">
        <Button
          kind="primary"
          busy={starting || following !== undefined}
          onClick={() => void synchronize()}
        >
          Synchronize
        </Button>
      </div>
      <ErrorBanner error={syncError} />
      {running ? <Progress status={data} following={following} /> : null}
      {finished && !running ? (
        <div className="run-finished">
          <StatusLine>
            The synchronization finished: {labelOf(OUTCOMES, finished.outcome)}
            {finished.summary ? ` — ${finished.summary}` : ''}.
          </StatusLine>
          <Button onClick={() => setOpenRun(finished.id)}>Open this run</Button>
        </div>
      ) : null}

      <HealthIssues after={finished?.id} />
      <History history={history} onOpen={setOpenRun} />
      {openRun ? (
        <RunDetail key={openRun} id={openRun} onClose={() => setOpenRun(undefined)} />
      ) : null}
    </Screen>
  );
}
