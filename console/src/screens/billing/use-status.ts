import { useCallback, useEffect, useRef, useState } from 'react';
import { ok } from '../../api/client';
import { usePartner } from '../../partner';
import type { Status } from './types';

/**
 * The integration's status (GET …/status: the billing run going on, its phase, what it holds,
 * and the last runs), read every few seconds while the screen is open.
 */
export function useStatus(everyMs = 3000) {
  const { api, path } = usePartner();
  const [status, setStatus] = useState<Status>();
  const [error, setError] = useState<unknown>();
  const inFlight = useRef(false);
  const refresh = useCallback(async () => {
    // Not while another read is on its way, nor while the tab is hidden (read again when shown).
    if (inFlight.current || document.hidden) return;
    inFlight.current = true;
    try {
      setStatus(
        await ok(api.GET('/partners/{partnerId}/connectwise/status', { params: { path } })),
      );
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      inFlight.current = false;
    }
  }, [api, path]);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), everyMs);
    const onShow = () => void refresh();
    document.addEventListener('visibilitychange', onShow);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onShow);
    };
  }, [refresh, everyMs]);
  return { status, error, refresh };
}

export type RunState =
  | { state: 'queued' }
  | { state: 'running'; phase: string; done: number; total: number }
  | { state: 'finished'; outcome: string; summary: string };

/** Where a run stands by its workflow id: queued, running (with its phase), or finished. */
export function runStateOf(status: Status | undefined, runWorkflowId: string): RunState {
  const workflow = status?.workflow;
  const last = workflow?.lastRuns.find((r) => r.runKey === runWorkflowId);
  if (last) return { state: 'finished', outcome: last.outcome, summary: last.summary };
  const progress = status?.runProgress;
  if (workflow?.currentRun?.runWorkflowId === runWorkflowId || progress?.runKey === runWorkflowId) {
    return {
      state: 'running',
      phase: progress?.runKey === runWorkflowId ? progress.phase : 'preparing',
      done: progress?.agreementsDone ?? 0,
      total: progress?.agreementsTotal ?? 0,
    };
  }
  return { state: 'queued' };
}
