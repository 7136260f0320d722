import { HealthBanner } from '../components/health-banner';
import { useState } from 'react';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import { ErrorBanner, Screen, StatusLine } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import { Connected } from './integration/connected';
import { CredentialsForm } from './integration/credentials-form';
import './integration.css';

/** Integration details: the credentials form until there is an integration, then the connection. */
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
