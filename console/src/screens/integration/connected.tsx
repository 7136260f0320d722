import { useState } from 'react';
import { ApiError } from '../../api/errors';
import { reportOf } from '../../components/ConnectionReport';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Button, ErrorBanner } from '../../components/ui';
import { ConnectionFacts } from './connection-facts';
import { CredentialsForm } from './credentials-form';
import { ReportDialog } from './report-dialog';
import { useIntegrationActions } from './use-integration-actions';
import type { Integration } from './values';

/** The stored integration: its connection, its actions (or the edit form), and their dialogs. */
export function Connected({
  integration: i,
  onNotice,
  reload,
}: {
  integration: Integration;
  onNotice: (message: string | undefined) => void;
  reload: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const {
    busy,
    error,
    report,
    setReport,
    validate,
    pause,
    remove: deleteIntegration,
  } = useIntegrationActions(onNotice, reload);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const remove = async () => {
    setConfirmDelete(false);
    await deleteIntegration();
  };

  const last = i.lastValidation;
  const paused = i.state === 'paused';
  return (
    <>
      <h2>Connection</h2>
      <ConnectionFacts integration={i} />
      {error instanceof ApiError && reportOf(error.body) ? (
        <div className="banner banner-error" role="alert">
          {error.message}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => setReport(reportOf(error.body))}
          >
            Show the report
          </button>
        </div>
      ) : (
        <ErrorBanner error={error} />
      )}
      {editing ? (
        <CredentialsForm
          mode="edit"
          current={i}
          onCancel={() => setEditing(false)}
          onDone={async (message) => {
            setEditing(false);
            await reload();
            onNotice(message);
          }}
        />
      ) : (
        <div className="actions">
          <Button kind="primary" busy={busy === 'validate'} onClick={() => void validate()}>
            Validate again
          </Button>
          <Button onClick={() => setEditing(true)}>Edit</Button>
          <Button busy={busy === 'pause' || busy === 'resume'} onClick={() => void pause(!paused)}>
            {paused ? 'Resume' : 'Pause'}
          </Button>
          {last ? (
            <Button onClick={() => setReport(last)}>Last Test Connection report</Button>
          ) : null}
          <Button kind="danger" busy={busy === 'delete'} onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
        </div>
      )}
      <ReportDialog
        report={report}
        open={report !== undefined}
        onClose={() => setReport(undefined)}
      />
      <ConfirmDialog
        title="Delete the integration?"
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        confirm="Delete Integration"
        onConfirm={() => void remove()}
      >
        <p>
          The engine stops synchronizing with ConnectWise company <strong>{i.companyId}</strong> and
          removes the stored keys. Company mappings and settings go with it; the history is kept.
          Nothing is removed from ConnectWise.
        </p>
      </ConfirmDialog>
    </>
  );
}
