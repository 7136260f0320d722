import { useState, type FormEvent } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { reportOf, type ConnectionReport } from '../../components/ConnectionReport';
import { usePartner } from '../../partner';
import { reportFieldError } from './form-errors';
import {
  ON_PREMISE,
  credentialsOf,
  keyOf,
  regionOf,
  type Integration,
  type Values,
} from './values';

/**
 * The credentials form's state and actions: Test Connection (and its report), Create Integration
 * once it passed for these values, or Save changes of an existing one.
 */
export function useCredentialsForm(
  mode: 'create' | 'edit',
  current: Integration | undefined,
  onDone: (message: string) => Promise<void>,
) {
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
  return {
    values,
    set,
    error,
    report,
    reportOpen,
    setReportOpen,
    testing,
    saving,
    tenantChange,
    setTenantChange,
    testConnection,
    create,
    submit,
    passed,
  };
}
