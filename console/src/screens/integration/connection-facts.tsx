import { LastValidation } from '../../components/last-validation';
import { regionOf, siteLabel, type Integration } from './values';

const STATE_BADGE: Record<string, string> = {
  active: 'badge-ok',
  paused: 'badge-warn',
  credentials_invalid: 'badge-bad',
  draft: 'badge-muted',
  deleted: 'badge-muted',
};

/** The stored connection: server, Company ID, keys, state and the last validation. */
export function ConnectionFacts({ integration: i }: { integration: Integration }) {
  const last = i.lastValidation;
  return (
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
        <LastValidation last={last}>
          {i.versionNumber ? `, ConnectWise ${i.versionNumber}` : ''}
        </LastValidation>
      </dd>
    </dl>
  );
}
