import { useState } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { reportOf, type ConnectionReport } from '../../components/ConnectionReport';
import { usePartner } from '../../partner';

/**
 * The stored integration's actions (Validate again, Pause or Resume, Delete): which one runs, its
 * error, and the Test Connection report a refusal carries.
 */
export function useIntegrationActions(
  onNotice: (message: string | undefined) => void,
  reload: () => Promise<void>,
) {
  const { api, path } = usePartner();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [report, setReport] = useState<ConnectionReport>();

  const run = async (what: string, action: () => Promise<unknown>, message: string) => {
    setBusy(what);
    setError(undefined);
    onNotice(undefined);
    try {
      await action();
      await reload();
      onNotice(message);
    } catch (err) {
      const r = err instanceof ApiError ? reportOf(err.body) : undefined;
      if (r) setReport(r);
      setError(err);
      if (r) await reload();
    } finally {
      setBusy(undefined);
    }
  };

  const validate = () =>
    run(
      'validate',
      () =>
        ok(
          api.POST('/partners/{partnerId}/connectwise/integration/validate', { params: { path } }),
        ),
      'Validated: Test Connection passed with the stored keys.',
    );
  const pause = (paused: boolean) =>
    run(
      paused ? 'pause' : 'resume',
      () =>
        paused
          ? ok(
              api.POST('/partners/{partnerId}/connectwise/integration/pause', { params: { path } }),
            )
          : ok(
              api.POST('/partners/{partnerId}/connectwise/integration/resume', {
                params: { path },
              }),
            ),
      paused
        ? 'Paused: scheduled and manual runs are skipped until you resume.'
        : 'Resumed: the integration runs again.',
    );
  const remove = () =>
    run(
      'delete',
      () => ok(api.DELETE('/partners/{partnerId}/connectwise/integration', { params: { path } })),
      'Integration deleted: its keys are removed; its history is kept.',
    );

  return { busy, error, report, setReport, validate, pause, remove };
}
