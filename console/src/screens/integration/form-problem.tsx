import { ApiError } from '../../api/errors';
import { ErrorBanner } from '../../components/ui';
import { placedOnly } from './form-errors';

type TenantChange = 'reset' | 'same_tenant';

/**
 * What went wrong above the buttons: the choice a tenant change asks for, a short note when every
 * problem is marked at its field, or the error itself.
 */
export function FormProblem({
  error,
  tenantChange,
  onTenantChange,
}: {
  error: unknown;
  tenantChange: TenantChange | undefined;
  onTenantChange: (change: TenantChange) => void;
}) {
  const tenantChanged = error instanceof ApiError && error.code === 'tenant_changed';
  return tenantChanged ? (
    <fieldset className="tenant-change">
      <legend>Another ConnectWise tenant</legend>
      <p className="field-error">{error.message}</p>
      <label>
        <input
          type="radio"
          name="tenantChange"
          checked={tenantChange === 'reset'}
          onChange={() => onTenantChange('reset')}
        />{' '}
        Another tenant: clear company mappings, ticket and billing settings
      </label>
      <label>
        <input
          type="radio"
          name="tenantChange"
          checked={tenantChange === 'same_tenant'}
          onChange={() => onTenantChange('same_tenant')}
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
  );
}
