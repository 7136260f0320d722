import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import type { paths } from '../api/schema';
import { Pager, useCursorPages } from '../components/paging';
import {
  Button,
  ErrorBanner,
  Screen,
  SelectField,
  StatusLine,
  When,
  type Option,
} from '../components/ui';
import { TableWrap } from '../components/table-wrap';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import { HealthIssues } from './status/health-issues';
import './status.css';

type StatusAnswer =
  paths['/partners/{partnerId}/connectwise/status']['get']['responses'][200]['content']['application/json'];
type RunsQuery = NonNullable<
  paths['/partners/{partnerId}/connectwise/sync-runs']['get']['parameters']['query']
>;
type Run =
  paths['/partners/{partnerId}/connectwise/sync-runs']['get']['responses'][200]['content']['application/json']['runs'][number];
type RunDetailAnswer =
  paths['/partners/{partnerId}/connectwise/sync-runs/{id}']['get']['responses'][200]['content']['application/json'];
type Kind = NonNullable<RunsQuery['kind']>;
type Trigger = NonNullable<RunsQuery['trigger']>;
type Outcome = NonNullable<RunsQuery['outcome']>;

const KINDS: Array<{ value: Kind; label: string }> = [
  { value: 'billing', label: 'Billing' },
  { value: 'validation', label: 'Validation' },
];
const TRIGGERS: Array<{ value: Trigger; label: string }> = [
  { value: 'schedule', label: 'Schedule' },
  { value: 'manual', label: 'Synchronize' },
  { value: 'config_change', label: 'Settings change' },
];
const OUTCOMES: Array<{ value: Outcome; label: string }> = [
  { value: 'running', label: 'Running' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'partial', label: 'Partial' },
  { value: 'failed', label: 'Failed' },
  { value: 'skipped', label: 'Skipped' },
  { value: 'cancelled', label: 'Cancelled' },
];
const OUTCOME_BADGE: Record<Outcome, string> = {
  running: 'badge-warn',
  succeeded: 'badge-ok',
  partial: 'badge-warn',
  failed: 'badge-bad',
  skipped: 'badge-muted',
  cancelled: 'badge-warn',
};
const PHASES: Record<NonNullable<StatusAnswer['runProgress']>['phase'], string> = {
  preparing: 'Preparing',
  reconciling: 'Reconciling agreements',
  recording: 'Recording',
  done: 'Finishing',
};
const labelOf = (list: Array<{ value: string; label: string }>, value: string) =>
  list.find((o) => o.value === value)?.label ?? value;

/** Rows per page of the history: `?pageSize=` in the address (1 to 200), else 10. */
function historyPageSize(): number {
  const asked = Number(new URLSearchParams(window.location.search).get('pageSize'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 200 ? asked : 10;
}

export function Status() {
  const { api, path } = usePartner();
  const status = useLoad(
    () => ok(api.GET('/partners/{partnerId}/connectwise/status', { params: { path } })),
    [api, path.partnerId],
  );
  // The run Synchronize queued, and the end of the newest run the lifecycle listed at the press.
  const [followed, setFollowed] = useState<{ id: string; after: string | undefined }>();
  const following = followed?.id;
  const [starting, setStarting] = useState(false);
  const [syncError, setSyncError] = useState<unknown>();
  const [finished, setFinished] = useState<Run>();
  const [openRun, setOpenRun] = useState<string>();
  const history = useHistory();

  const data = status.data;
  const running = following !== undefined || Boolean(data?.runProgress);
  const { reload } = status;

  // While a run is queued or running: status again every second.
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => void reload(), 1000);
    return () => clearTimeout(timer);
  }, [running, data, status.error, reload]);

  // The followed run is over once the lifecycle lists it: by its workflow id, or, for a press
  // whose run stopped before a billing run started (billing off, the integration not active, no
  // access), as the first manual run listed without one since the press.
  const done = followed
    ? data?.workflow?.lastRuns.find(
        (r) =>
          r.outcome !== 'running' &&
          (r.runWorkflowId === followed.id ||
            (r.runWorkflowId === undefined &&
              r.trigger === 'manual' &&
              (followed.after === undefined || r.endedAt > followed.after))),
      )
    : undefined;
  const reloadHistory = history.reload;
  // Plain values, so the status read every second while following does not restart this.
  const isDone = done !== undefined;
  const doneRunId = done?.syncRunId;
  useEffect(() => {
    if (!following || !isDone) return;
    let stale = false;
    void (async () => {
      try {
        const page = await ok(
          api.GET('/partners/{partnerId}/connectwise/sync-runs', {
            params: { path, query: { pageSize: 20 } },
          }),
        );
        if (stale) return;
        setFinished(
          page.runs.find((r) => (doneRunId ? r.id === doneRunId : r.workflowId === following)),
        );
      } catch (err) {
        if (!stale) setSyncError(err);
      }
      if (stale) return;
      setFollowed(undefined);
      void reloadHistory();
    })();
    return () => {
      stale = true;
    };
  }, [api, path, following, isDone, doneRunId, reloadHistory]);

  const synchronize = async () => {
    setStarting(true);
    setSyncError(undefined);
    setFinished(undefined);
    try {
      const answer = await ok(
        api.POST('/partners/{partnerId}/connectwise/synchronize', { params: { path } }),
      );
      const listed = data?.workflow?.lastRuns.map((r) => r.endedAt).sort();
      setFollowed({ id: answer.runWorkflowId, after: listed?.[listed.length - 1] });
      void reload();
    } catch (err) {
      setSyncError(err);
    } finally {
      setStarting(false);
    }
  };

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

function Overview({ status }: { status: StatusAnswer }) {
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
          {lastValidation ? (
            <>
              <span className={`badge ${lastValidation.ok ? 'badge-ok' : 'badge-bad'}`}>
                {lastValidation.ok ? 'passed' : 'failed'}
              </span>{' '}
              <When at={lastValidation.testedAt} />
            </>
          ) : (
            'never'
          )}
        </dd>
      </div>
    </dl>
  );
}

/** The running sync: a progress bar and a line read out as it changes. */
function Progress({ status, following }: { status?: StatusAnswer; following?: string }) {
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

interface Filters {
  kind: Kind | '';
  trigger: Trigger | '';
  outcome: Outcome | '';
}

function useHistory() {
  const { api, path } = usePartner();
  const [filters, setFilters] = useState<Filters>({ kind: '', trigger: '', outcome: '' });
  const pageSize = historyPageSize();
  const pages = useCursorPages(
    async (cursor) => {
      const query: RunsQuery = { pageSize };
      if (filters.kind) query.kind = filters.kind;
      if (filters.trigger) query.trigger = filters.trigger;
      if (filters.outcome) query.outcome = filters.outcome;
      if (cursor) query.cursor = cursor;
      const data = await ok(
        api.GET('/partners/{partnerId}/connectwise/sync-runs', { params: { path, query } }),
      );
      return { items: data.runs, nextCursor: data.nextCursor };
    },
    [api, path.partnerId, filters, pageSize],
  );
  return { ...pages, filters, setFilters };
}

function History({
  history,
  onOpen,
}: {
  history: ReturnType<typeof useHistory>;
  onOpen: (id: string) => void;
}) {
  const { filters, setFilters } = history;
  const filter = (name: keyof Filters, label: string, options: Option[]) => (
    <SelectField
      label={label}
      value={filters[name]}
      empty="All"
      options={options}
      onValue={(value) => setFilters({ ...filters, [name]: value })}
    />
  );
  const runs = history.items;
  return (
    <section aria-labelledby="history-title" className="sync-history">
      <h2 id="history-title">History</h2>
      <div className="filters">
        {filter('kind', 'Kind', KINDS)}
        {filter('trigger', 'Trigger', TRIGGERS)}
        {filter('outcome', 'Outcome', OUTCOMES)}
        <Button onClick={() => void history.reload()} busy={history.loading}>
          Refresh
        </Button>
      </div>
      <ErrorBanner error={history.error} />
      {runs && runs.length === 0 ? <p>No runs yet.</p> : null}
      {runs && runs.length > 0 ? (
        <TableWrap label="Synchronization runs, newest first">
          <table>
            <caption className="visually-hidden">Synchronization runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Kind</th>
                <th scope="col">Trigger</th>
                <th scope="col">Outcome</th>
                <th scope="col">Summary</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} data-run-id={run.id}>
                  <td>
                    <When at={run.startedAt} />
                  </td>
                  <td>{labelOf(KINDS, run.kind)}</td>
                  <td>{labelOf(TRIGGERS, run.trigger)}</td>
                  <td>
                    <span className={`badge ${OUTCOME_BADGE[run.outcome]}`}>
                      {labelOf(OUTCOMES, run.outcome)}
                    </span>
                  </td>
                  <td>{run.summary ?? '—'}</td>
                  <td>
                    <Button onClick={() => onOpen(run.id)}>
                      Open<span className="visually-hidden"> the run of {run.startedAt}</span>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <Pager pages={history} what="runs" />
    </section>
  );
}

function RunDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { api, path } = usePartner();
  const pages = useCursorPages(
    async (cursor) => {
      const data = await ok(
        api.GET('/partners/{partnerId}/connectwise/sync-runs/{id}', {
          params: {
            path: { ...path, id },
            query: { pageSize: 20, ...(cursor ? { cursor } : {}) },
          },
        }),
      );
      return { ...data, items: data.changes };
    },
    [api, path.partnerId, id],
  );
  const heading = useRef<HTMLHeadingElement>(null);
  const detail: RunDetailAnswer | undefined = pages.last;
  const loadedOnce = detail !== undefined;
  useEffect(() => {
    if (loadedOnce) heading.current?.focus();
  }, [loadedOnce]);

  return (
    <section aria-labelledby="run-title" className="run-detail">
      <h2 id="run-title" ref={heading} tabIndex={-1}>
        Run details
      </h2>
      <ErrorBanner error={pages.error} />
      {!detail ? <p role="status">Loading the run…</p> : <RunBody detail={detail} />}
      {detail ? (
        <>
          <h3>Billing changes</h3>
          {detail.changes.length === 0 ? (
            <p>This run changed no agreement addition.</p>
          ) : (
            <TableWrap label="The run's billing changes">
              <table>
                <caption className="visually-hidden">The run&apos;s billing changes</caption>
                <thead>
                  <tr>
                    <th scope="col">Customer</th>
                    <th scope="col">Agreement</th>
                    <th scope="col">Product</th>
                    <th scope="col">Action</th>
                    <th scope="col">Quantity</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.changes.map((c, i) => (
                    <tr key={`${c.agreementId}:${c.sku}:${c.at}:${i}`}>
                      <td>{c.customerId}</td>
                      <td>{c.agreementId}</td>
                      <td>{c.sku}</td>
                      <td>{c.action}</td>
                      <td>
                        {c.from ? c.from.quantity : '—'} → {c.to ? c.to.quantity : '—'}
                      </td>
                      <td>{c.outcome}</td>
                      <td>{c.message ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <Pager pages={pages} what="billing changes" />
        </>
      ) : null}
      <div className="actions">
        <Button onClick={onClose}>Close the run</Button>
      </div>
    </section>
  );
}

/** A run's results: the detail's first page, then the next ones on request. */
function useMoreResults(detail: RunDetailAnswer) {
  const { api, path } = usePartner();
  const [extra, setExtra] = useState<{
    results: RunDetailAnswer['results'];
    next: string | null;
  }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const next = extra ? extra.next : detail.resultsNextCursor;
  const loadMore = () => {
    if (next === null) return;
    setLoadingMore(true);
    setMoreError(undefined);
    ok(
      api.GET('/partners/{partnerId}/connectwise/sync-runs/{id}/results', {
        params: { path: { ...path, id: detail.run.id }, query: { cursor: next } },
      }),
    )
      .then((page) =>
        setExtra((had) => ({
          results: [...(had?.results ?? []), ...page.results],
          next: page.nextCursor,
        })),
      )
      .catch(setMoreError)
      .finally(() => setLoadingMore(false));
  };
  return {
    results: [...detail.results, ...(extra?.results ?? [])],
    more: next !== null,
    loadMore,
    loadingMore,
    moreError,
  };
}

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

function RunBody({ detail }: { detail: RunDetailAnswer }) {
  const { run, temporalUiUrl } = detail;
  const counts = Object.entries(run.counts ?? {});
  const { results, more, loadMore, loadingMore, moreError } = useMoreResults(detail);
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
      {results.length > 0 ? (
        <>
          <h3>Customers</h3>
          <TableWrap label="Each customer's result in this run">
            <table>
              <caption className="visually-hidden">Each customer&apos;s result in this run</caption>
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Agreement</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Counts</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => (
                  <tr key={`${r.customerId}:${r.agreementId ?? ''}`}>
                    <td>{r.customerId}</td>
                    <td>{r.agreementId ?? '—'}</td>
                    <td>{r.outcome}</td>
                    <td>
                      {Object.entries(r.counts)
                        .filter(([, n]) => n > 0)
                        .map(([k, n]) => `${k} ${n}`)
                        .join(', ') || '—'}
                    </td>
                    <td>{r.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <ErrorBanner error={moreError} />
          {more ? (
            <div className="actions">
              <Button onClick={loadMore} busy={loadingMore}>
                Show more customers
              </Button>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
