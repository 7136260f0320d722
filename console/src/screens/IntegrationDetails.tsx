import { HealthBanner } from '../components/health-banner';
import { useState, type FormEvent } from 'react';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import type { paths } from '../api/schema';
import {
  ConnectionReportView,
  reportOf,
  type ConnectionReport,
} from '../components/ConnectionReport';
import {
  Button,
  Dialog,
  ErrorBanner,
  Field,
  Screen,
  SelectField,
  StatusLine,
  TextField,
  When,
} from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import './integration.css';
import { CLOUD_REGIONS as ENGINE_REGIONS } from '../engine-constants';

type Integration =
  paths['/partners/{partnerId}/connectwise/integration']['get']['responses'][200]['content']['application/json'];

/** The cloud regions the API accepts as `site`; anything else is an on-premise base URL. */
const CLOUD_REGIONS = ENGINE_REGIONS.map((r) => ({
  value: r.value,
  label: `${r.label} (${r.host})`,
}));
const ON_PREMISE = 'onprem';
const SERVER_OPTIONS = [...CLOUD_REGIONS, { value: ON_PREMISE, label: 'On-Premise' }];

const regionOf = (site: string) => CLOUD_REGIONS.find((r) => r.value === site.toLowerCase());
const siteLabel = (site: string) => regionOf(site)?.label ?? site;

interface Values {
  server: string;
  baseUrl: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
}

const siteOf = (v: Values) => (v.server === ON_PREMISE ? v.baseUrl.trim() : v.server);
const credentialsOf = (v: Values) => ({
  site: siteOf(v),
  companyId: v.companyId.trim(),
  publicKey: v.publicKey.trim(),
  privateKey: v.privateKey.trim(),
});
const keyOf = (v: Values) => JSON.stringify(credentialsOf(v));

/**
 * What a failed report says about a field, as if the API had named it: the site not reached, the
 * company not found, or the keys not accepted (each in the report's own words).
 */
function reportFieldError(report: ConnectionReport): ApiError | undefined {
  if (report.ok) return undefined;
  const first = report.problems[0] ?? 'Test Connection did not pass';
  const field = !report.site.reachable
    ? 'body.site'
    : !report.company.found
      ? 'body.companyId'
      : !report.authenticated
        ? 'body.privateKey'
        : undefined;
  if (!field) return undefined;
  return new ApiError(422, {
    error: { code: 'connection_test_failed', message: first, fields: [{ field, message: first }] },
  });
}

const FORM_FIELDS = ['body.site', 'body.companyId', 'body.publicKey', 'body.privateKey'];

/** An error whose every field is shown next to an input: said above the buttons only in short. */
function placedOnly(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.fields.length > 0 &&
    error.fields.every((f) => FORM_FIELDS.includes(f.field))
  );
}

export function IntegrationDetails() {
  const { api, path } = usePartner();
  const integration = useLoad(async () => {
    try {
      return await ok(
        api.GET('/partners/{partnerId}/connectwise/integration', { params: { path } }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, [api, path]);
  const [notice, setNotice] = useState<string>();

  return (
    <Screen
      title="Integration details"
      intro="The ConnectWise PSA server and API member the integration works through."
    >
      <ErrorBanner error={integration.error} />
      {integration.data ? (
        <HealthBanner
          kinds={['credentials_rejected', 'role_line_missing']}
          fields={{ credentials_rejected: 'body.privateKey' }}
        />
      ) : null}
      <StatusLine>{notice}</StatusLine>
      {integration.data === undefined ? (
        integration.loading ? (
          <p>Loading…</p>
        ) : null
      ) : integration.data === null ? (
        <CredentialsForm
          mode="create"
          onDone={async (message) => {
            setNotice(message);
            await integration.reload();
          }}
        />
      ) : (
        <Connected
          integration={integration.data}
          onNotice={setNotice}
          reload={integration.reload}
        />
      )}
    </Screen>
  );
}

function CredentialsForm({
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
  const { api, path } = usePartner();
  const initialServer = current ? (regionOf(current.site)?.value ?? ON_PREMISE) : '';
  const [values, setValues] = useState<Values>({
    server: initialServer,
    baseUrl: current && initialServer === ON_PREMISE ? current.site : '',
    companyId: current?.companyId ?? '',
    publicKey: '',
    privateKey: '',
  });
  const set = (k: keyof Values) => (v: string) => setValues((old) => ({ ...old, [k]: v }));
  const [error, setError] = useState<unknown>();
  const [report, setReport] = useState<ConnectionReport>();
  const [reportOpen, setReportOpen] = useState(false);
  const [passedFor, setPassedFor] = useState<string>();
  const [testing, setTesting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [tenantChange, setTenantChange] = useState<'reset' | 'same_tenant'>();

  const showReport = (r: ConnectionReport) => {
    setReport(r);
    setReportOpen(true);
    setError(reportFieldError(r));
  };

  const testConnection = async () => {
    setTesting(true);
    setError(undefined);
    const tested = keyOf(values);
    try {
      const r = await ok(
        api.POST('/partners/{partnerId}/connectwise/test-connection', {
          params: { path },
          body: credentialsOf(values),
        }),
      );
      setPassedFor(r.ok ? tested : undefined);
      showReport(r);
    } catch (err) {
      setPassedFor(undefined);
      setError(err);
    } finally {
      setTesting(false);
    }
  };

  const failed = (err: unknown) => {
    const r = err instanceof ApiError ? reportOf(err.body) : undefined;
    if (r) {
      setPassedFor(undefined);
      showReport(r);
    } else setError(err);
  };

  const create = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await ok(
        api.POST('/partners/{partnerId}/connectwise/integration', {
          params: { path },
          body: credentialsOf(values),
        }),
      );
      await onDone('Integration created: Test Connection passed again and the keys are stored.');
    } catch (err) {
      failed(err);
    } finally {
      setSaving(false);
    }
  };

  /**
   * Only what changed, the public key only when typed; the private key always (the API asks for it
   * again with any change, and says so under the field when it is empty).
   */
  const change = () => {
    const c = credentialsOf(values);
    return {
      ...(current && c.site !== current.site ? { site: c.site } : {}),
      ...(current && c.companyId !== current.companyId ? { companyId: c.companyId } : {}),
      ...(c.publicKey ? { publicKey: c.publicKey } : {}),
      privateKey: c.privateKey,
      ...(tenantChange ? { tenantChange } : {}),
    };
  };

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await ok(
        api.PATCH('/partners/{partnerId}/connectwise/integration', {
          params: { path },
          body: change(),
        }),
      );
      await onDone('Changes saved: Test Connection passed with the new values.');
    } catch (err) {
      failed(err);
    } finally {
      setSaving(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'create') {
      if (passedFor === keyOf(values)) void create();
      else void testConnection();
    } else void save();
  };

  const passed = passedFor !== undefined && passedFor === keyOf(values);
  const tenantChanged = error instanceof ApiError && error.code === 'tenant_changed';
  const editing = mode === 'edit';

  return (
    <form className="form integration-form" onSubmit={submit} noValidate>
      {editing ? (
        <h2>Edit the connection</h2>
      ) : (
        <p className="hint">
          Create an API member in ConnectWise (System → Members → API Members) with the security
          role the integration needs, generate its keys, and enter them here.
        </p>
      )}
      <SelectField
        label="ConnectWise server"
        field="body.site"
        error={values.server === ON_PREMISE ? undefined : error}
        value={values.server}
        empty="Choose your cloud region or On-Premise"
        options={SERVER_OPTIONS}
        onValue={set('server')}
        hint="The region you sign in to ConnectWise PSA in, or On-Premise for your own server."
        required
      />
      {values.server === ON_PREMISE ? (
        <TextField
          label="Base URL"
          field="body.site"
          error={error}
          value={values.baseUrl}
          onValue={set('baseUrl')}
          type="url"
          inputMode="url"
          placeholder="https://connectwise.example.com"
          hint="The address of your ConnectWise server (https)."
          autoComplete="url"
          required
        />
      ) : null}
      <TextField
        label="Company ID"
        field="body.companyId"
        error={error}
        value={values.companyId}
        onValue={set('companyId')}
        hint="The company name you type at the ConnectWise login."
        autoComplete="organization"
        required
      />
      <TextField
        label="Public Key"
        field="body.publicKey"
        error={error}
        value={values.publicKey}
        onValue={set('publicKey')}
        autoComplete="off"
        spellCheck={false}
        hint={
          editing ? `Leave blank to keep ${current?.publicKey ?? 'the stored key'}.` : undefined
        }
        required={!editing}
      />
      <Field
        label="Private Key"
        field="body.privateKey"
        error={error}
        hint={
          editing
            ? 'Write-only: never shown back. Enter it again when changing the server, Company ID or public key.'
            : 'Write-only: stored encrypted and never shown back.'
        }
      >
        {(ids) => (
          <input
            {...ids}
            type="password"
            value={values.privateKey}
            onChange={(e) => set('privateKey')(e.target.value)}
            autoComplete="new-password"
            spellCheck={false}
            required={!editing}
          />
        )}
      </Field>
      {tenantChanged ? (
        <fieldset className="tenant-change">
          <legend>Another ConnectWise tenant</legend>
          <p className="field-error">{error.message}</p>
          <label>
            <input
              type="radio"
              name="tenantChange"
              checked={tenantChange === 'reset'}
              onChange={() => setTenantChange('reset')}
            />{' '}
            Another tenant: clear company mappings, ticket and billing settings
          </label>
          <label>
            <input
              type="radio"
              name="tenantChange"
              checked={tenantChange === 'same_tenant'}
              onChange={() => setTenantChange('same_tenant')}
            />{' '}
            The same tenant at a new address: keep them
          </label>
        </fieldset>
      ) : placedOnly(error) ? (
        // Read out (the messages beside the fields are not): what to look at.
        <p className="banner banner-error" role="alert">
          {error.fields.length === 1
            ? 'One field needs attention (marked above).'
            : `${error.fields.length} fields need attention (marked above).`}
        </p>
      ) : (
        <ErrorBanner error={error} />
      )}
      <div className="actions">
        <Button
          kind={passed || editing ? 'secondary' : 'primary'}
          busy={testing}
          disabled={saving}
          onClick={() => void testConnection()}
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
            onClick={() => void create()}
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
      <Dialog title="Test Connection" open={reportOpen} onClose={() => setReportOpen(false)}>
        {report ? <ConnectionReportView report={report} /> : null}
      </Dialog>
    </form>
  );
}

const STATE_BADGE: Record<string, string> = {
  active: 'badge-ok',
  paused: 'badge-warn',
  credentials_invalid: 'badge-bad',
  draft: 'badge-muted',
  deleted: 'badge-muted',
};

function Connected({
  integration: i,
  onNotice,
  reload,
}: {
  integration: Integration;
  onNotice: (message: string | undefined) => void;
  reload: () => Promise<void>;
}) {
  const { api, path } = usePartner();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [report, setReport] = useState<ConnectionReport>();
  const [confirmDelete, setConfirmDelete] = useState(false);

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
  const remove = async () => {
    setConfirmDelete(false);
    await run(
      'delete',
      () => ok(api.DELETE('/partners/{partnerId}/connectwise/integration', { params: { path } })),
      'Integration deleted: its keys are removed; its history is kept.',
    );
  };

  const last = i.lastValidation;
  const paused = i.state === 'paused';
  return (
    <>
      <h2>Connection</h2>
      <dl className="integration-facts">
        <dt>ConnectWise server</dt>
        <dd>
          {siteLabel(i.site)}
          {regionOf(i.site) ? null : <span className="hint"> (On-Premise)</span>}
        </dd>
        <dt>Company ID</dt>
        <dd>
          {i.companyId}
          {last?.company.name ? ` (${last.company.name})` : ''}
        </dd>
        <dt>Public Key</dt>
        <dd>
          <code>{i.publicKey}</code>
        </dd>
        <dt>Private Key</dt>
        <dd>{i.hasPrivateKey ? 'Stored (write-only)' : 'Not stored: enter it again'}</dd>
        <dt>State</dt>
        <dd>
          <span className={`badge ${STATE_BADGE[i.state] ?? 'badge-muted'}`} data-testid="state">
            {i.state}
          </span>
          {i.stateReason ? <span className="state-reason"> {i.stateReason}</span> : null}
        </dd>
        <dt>Last validation</dt>
        <dd>
          {last ? (
            <>
              <span className={`badge ${last.ok ? 'badge-ok' : 'badge-bad'}`}>
                {last.ok ? 'passed' : 'failed'}
              </span>{' '}
              <When at={last.testedAt} />
              {i.versionNumber ? `, ConnectWise ${i.versionNumber}` : ''}
            </>
          ) : (
            'never'
          )}
        </dd>
      </dl>
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
      <Dialog
        title="Test Connection"
        open={report !== undefined}
        onClose={() => setReport(undefined)}
      >
        {report ? <ConnectionReportView report={report} /> : null}
      </Dialog>
      <Dialog
        title="Delete the integration?"
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
      >
        <p>
          The engine stops synchronizing with ConnectWise company <strong>{i.companyId}</strong> and
          removes the stored keys. Company mappings and settings go with it; the history is kept.
          Nothing is removed from ConnectWise.
        </p>
        <div className="actions">
          <Button kind="danger" onClick={() => void remove()}>
            Delete Integration
          </Button>
        </div>
      </Dialog>
    </>
  );
}
