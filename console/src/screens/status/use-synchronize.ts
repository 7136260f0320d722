import { useEffect, useState } from 'react';
import { ok } from '../../api/client';
import { usePartner } from '../../partner';
import type { Run, StatusAnswer } from './runs';

/**
 * Synchronize and the run it started, followed by the id the press was answered with: once the
 * lifecycle lists that run as over (a billing run, or a run stopped before billing: billing off,
 * the integration not active, no access), its row is read by that id; or why the press failed.
 */
export function useSynchronize(
  data: StatusAnswer | undefined,
  reload: () => Promise<void>,
  reloadHistory: () => Promise<void>,
) {
  const { api, path } = usePartner();
  // The run Synchronize queued (or the queued one the press joined).
  const [following, setFollowing] = useState<string>();
  const [starting, setStarting] = useState(false);
  const [syncError, setSyncError] = useState<unknown>();
  const [finished, setFinished] = useState<Run>();

  // A plain value, so the status read every second while following does not restart this.
  const isDone =
    following !== undefined &&
    (data?.workflow?.lastRuns ?? []).some((r) => r.runKey === following && r.outcome !== 'running');
  useEffect(() => {
    if (!following || !isDone) return;
    let stale = false;
    void (async () => {
      try {
        const { run } = await ok(
          api.GET('/partners/{partnerId}/connectwise/sync-runs/{id}', {
            params: { path: { ...path, id: following } },
          }),
        );
        if (!stale) setFinished(run);
      } catch (err) {
        if (!stale) setSyncError(err);
      }
      if (stale) return;
      setFollowing(undefined);
      void reloadHistory();
    })();
    return () => {
      stale = true;
    };
  }, [api, path, following, isDone, reloadHistory]);

  const synchronize = async () => {
    setStarting(true);
    setSyncError(undefined);
    setFinished(undefined);
    try {
      const answer = await ok(
        api.POST('/partners/{partnerId}/connectwise/synchronize', { params: { path } }),
      );
      setFollowing(answer.runWorkflowId);
      void reload();
    } catch (err) {
      setSyncError(err);
    } finally {
      setStarting(false);
    }
  };

  return { following, starting, syncError, finished, synchronize };
}
