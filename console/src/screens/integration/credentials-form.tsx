import { Button } from '../../components/ui';
import { CredentialFields } from './credential-fields';
import { FormProblem } from './form-problem';
import { ReportDialog } from './report-dialog';
import { useCredentialsForm } from './use-credentials-form';
import type { Integration } from './values';

/** The ConnectWise credentials form: create the integration, or edit the stored connection. */
export function CredentialsForm({
  mode,
  current,
  onDone,
  onCancel,
}: {
  mode: 'create' | 'edit';
  current?: Integration;
  onDone: (message: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useCredentialsForm(mode, current, onDone);
  const { error, report, reportOpen, setReportOpen, testing, saving, passed } = form;
  const editing = mode === 'edit';

  return (
    <form className="form integration-form" onSubmit={form.submit} noValidate>
      {editing ? (
        <h2>Edit the connection</h2>
      ) : (
        <p className="hint">
          Create an API member in ConnectWise (System → Members → API Members) with the security
          role the integration needs, generate its keys, and enter them here.
        </p>
      )}
      <CredentialFields
        values={form.values}
        set={form.set}
        error={error}
        editing={editing}
        current={current}
      />
      <FormProblem
        error={error}
        tenantChange={form.tenantChange}
        onTenantChange={form.setTenantChange}
      />
      <div className="actions">
        <Button
          kind={passed || editing ? 'secondary' : 'primary'}
          busy={testing}
          disabled={saving}
          onClick={() => void form.testConnection()}
        >
          Test Connection
        </Button>
        {editing ? (
          <>
            <Button type="submit" kind="primary" busy={saving} disabled={testing}>
              Save changes
            </Button>
            <Button onClick={onCancel} disabled={saving}>
              Cancel
            </Button>
          </>
        ) : (
          <Button
            kind="primary"
            busy={saving}
            disabled={!passed || testing}
            onClick={() => void form.create()}
          >
            Create Integration
          </Button>
        )}
        {report && !reportOpen ? (
          <Button onClick={() => setReportOpen(true)}>Show the report</Button>
        ) : null}
      </div>
      {!editing && !passed ? (
        <p className="hint">
          Create Integration is enabled once Test Connection passes with these values.
        </p>
      ) : null}
      <ReportDialog report={report} open={reportOpen} onClose={() => setReportOpen(false)} />
    </form>
  );
}
