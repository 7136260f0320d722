import { noteHealth } from './health';
import { TICKET_HOLD_KINDS } from '../domain/health/issues';
import { credentialsAccepted } from './credentials-state';
import { IntegrationExistsError, type IntegrationRecord, type Repositories } from '../db';
import type { TicketWatchClient } from './tickets/watch-client';
import { ticketPolicyOf } from '../domain/tickets/settings';
import { decideTenantChange, type TenantChangeChoice } from '../domain/tenant';
import type { Keyring } from '../security';
import type { LifecycleClient } from '../temporal/lifecycle-client';
import type { ConnectionReport } from './connection-report';
import { tenantOf } from './tenant';
import { closeIssues, leaveOldTenant, SETTINGS_FIELDS, tenantChangeRecord } from './tenant-change';
import type { ConnectionTestClient } from './connection-test-client';
import type { CwCredentials } from './cw-settings';
import { invalidFields, notFound, ServiceError, temporalUnavailable } from './errors';
import { sealPrivateKey } from './integration-client';
import type { TicketClient } from './tickets/ticket-client';

export interface IntegrationServiceDeps {
  repos: Repositories;
  keyring: Keyring;
  lifecycle: LifecycleClient;
  connectionTests: Pick<ConnectionTestClient, 'run'>;
  /** Held ticket events go as soon as the integration is active again. */
  tickets?: Pick<TicketClient, 'wakeAll'>;
  /** A validation re-checks the ticket callback (workflows/ticket-watch.ts). */
  watch?: Pick<TicketWatchClient, 'settingsChanged'>;
}

/**
 * A stored private key is only ever sent to the site and company it was entered for: otherwise
 * anyone able to change the site could have the engine deliver it to a server of their own.
 */
export const RETYPE_PRIVATE_KEY =
  'enter the private key again when changing the site, Company ID or public key';

const testFailed = (report: ConnectionReport) =>
  new ServiceError(
    'check_failed',
    'connection_test_failed',
    'Test Connection did not pass; nothing was saved',
    { report },
  );

const changedMeanwhile = () =>
  new ServiceError(
    'conflict',
    'conflict',
    'the integration changed meanwhile; reload it and try again',
  );

const exists = () =>
  new ServiceError(
    'conflict',
    'integration_exists',
    'this partner already has a ConnectWise integration; change or delete it',
  );

/**
 * Creating, changing and removing a partner's integration; every credential change is tested
 * first. Keys travel through Temporal only while they are not stored yet (typed by a person);
 * a stored key is tested by id, and the worker opens it.
 */
export class IntegrationService {
  constructor(private readonly deps: IntegrationServiceDeps) {}

  /** Test Connection of keys a person typed. */
  async testConnection(partnerId: string, creds: CwCredentials): Promise<ConnectionReport> {
    return await this.deps.connectionTests.run(partnerId, { typed: creds });
  }

  async live(partnerId: string): Promise<IntegrationRecord> {
    const integration = await this.deps.repos.integrations.findForPartner(partnerId);
    if (!integration) throw notFound('ConnectWise integration');
    return integration;
  }

  async create(partnerId: string, creds: CwCredentials): Promise<IntegrationRecord> {
    if (await this.deps.repos.integrations.findForPartner(partnerId)) throw exists();
    const report = await this.testConnection(partnerId, creds);
    if (!report.ok) throw testFailed(report);
    const { privateKey, ...rest } = creds;
    let integration: IntegrationRecord;
    try {
      integration = await this.deps.repos.integrations.create({
        ...rest,
        partnerId,
        sealPrivateKey: (id) => sealPrivateKey(this.deps.keyring, id, privateKey),
        codebase: report.company.codebase,
        isCloud: report.company.isCloud,
        versionNumber: report.company.versionNumber,
        lastValidation: report,
      });
    } catch (err) {
      if (err instanceof IntegrationExistsError) throw exists();
      throw err;
    }
    try {
      await this.deps.lifecycle.start(integration);
    } catch {
      // Without its workflow the integration would never sync: undo, so a retry starts clean.
      await this.deps.repos.integrations.markDeleted(partnerId, integration.id);
      throw temporalUnavailable(
        'the workflow service (Temporal) is unavailable; nothing was saved, try again',
      );
    }
    return integration;
  }

  /**
   * Changes site, company or keys after a passing test; a failing test changes nothing. A passing
   * test also brings a credentials_invalid integration back to active. Without a new private key
   * the stored one is tested where it is stored (by id), against the stored site.
   */
  async update(
    partnerId: string,
    change: Partial<CwCredentials> & { tenantChange?: TenantChangeChoice },
  ): Promise<IntegrationRecord> {
    const current = await this.live(partnerId);
    const movesKey = [change.site, change.companyId, change.publicKey].some((v) => v !== undefined);
    if (movesKey && change.privateKey === undefined) {
      throw invalidFields([{ field: 'body.privateKey', message: RETYPE_PRIVATE_KEY }]);
    }
    const typed = change.privateKey;
    if (typed === undefined && !current.privateKey) {
      throw new ServiceError('conflict', 'no_credentials', 'enter the private key again');
    }
    const creds = {
      site: change.site ?? current.site,
      companyId: change.companyId ?? current.companyId,
      publicKey: change.publicKey ?? current.publicKey,
    };
    const report = await this.deps.connectionTests.run(
      partnerId,
      typed === undefined
        ? { stored: { partnerId, integrationId: current.id } }
        : { typed: { ...creds, privateKey: typed } },
    );
    if (!report.ok) throw testFailed(report);
    const tenant = decideTenantChange(
      tenantOf(current),
      { apiOrigin: report.site.apiOrigin ?? creds.site, companyId: creds.companyId },
      change.tenantChange,
    );
    if (tenant.kind === 'refused')
      throw new ServiceError('conflict', 'tenant_changed', tenant.message);
    const record = await tenantChangeRecord(this.deps.repos, partnerId, current, tenant);
    const updated = await this.deps.repos.integrations.update(
      partnerId,
      current.id,
      {
        ...creds,
        ...(typed === undefined
          ? {}
          : { privateKey: sealPrivateKey(this.deps.keyring, current.id, typed) }),
        codebase: report.company.codebase,
        isCloud: report.company.isCloud,
        versionNumber: report.company.versionNumber,
        lastValidation: report,
        state: current.state === 'credentials_invalid' ? 'active' : current.state,
      },
      ['stateReason', ...(record?.action === 'reset' ? SETTINGS_FIELDS : [])],
      // A pause, a 401 or another change of keys during the test wins; this one is refused.
      { state: current.state, privateKeyCt: current.privateKey?.ct },
      record,
    );
    if (!updated) throw changedMeanwhile();
    await credentialsAccepted(
      this.deps.repos,
      { partnerId, integrationId: updated.id },
      updated.state === 'active' && !updated.ticketSettingsProblem,
    );
    if (record?.action === 'reset') await leaveOldTenant(this.deps, updated);
    if (current.state === 'credentials_invalid') await this.wakeTickets(updated.id);
    if (updated.ticketSettings?.enabled === true)
      await this.deps.watch
        ?.settingsChanged({ partnerId, integrationId: updated.id })
        .catch(() => undefined);
    return updated;
  }

  /** Best effort: a held ticket event not woken tries again on its own within minutes. */
  private async wakeTickets(integrationId: string): Promise<void> {
    await this.deps.tickets?.wakeAll(integrationId).catch(() => undefined);
  }

  /**
   * Paused: runs are skipped (no ConnectWise calls) until resumed, and the lifecycle workflow
   * shows it. Only an active one pauses. If the workflow cannot be told, nothing changes.
   */
  async setPaused(partnerId: string, paused: boolean): Promise<IntegrationRecord> {
    const current = await this.live(partnerId);
    const from = paused ? 'active' : 'paused';
    const to = paused ? 'paused' : 'active';
    if (current.state !== from) {
      throw new ServiceError(
        'conflict',
        'invalid_state',
        `the integration is ${current.state}, not ${from}`,
      );
    }
    const { integrations } = this.deps.repos;
    const updated = await integrations.update(partnerId, current.id, { state: to }, [], {
      state: from,
    });
    if (!updated) throw changedMeanwhile();
    try {
      await this.deps.lifecycle.setPaused(current, {
        paused,
        changedAt: new Date().toISOString(),
      });
    } catch (err) {
      await integrations.update(partnerId, current.id, { state: from }, [], { state: to });
      throw err;
    }
    if (!paused) {
      // Resumed: what the pause held goes again (unless the ticket settings still hold it).
      if (!updated.ticketSettingsProblem)
        await noteHealth(
          this.deps.repos,
          { partnerId, integrationId: current.id },
          { kinds: TICKET_HOLD_KINDS, by: 'the integration resumed' },
          [],
        );
      await this.wakeTickets(current.id);
    }
    return updated;
  }

  /**
   * Stops the workflow and drops the secret; the record and the sync history stay. With tickets
   * on, ConnectWise may hold the integration's callback: the ticket watch removes it, with the
   * keys kept (sealed, never read as live) until it has tried, then drops them. Without a watch
   * to tell, the keys go at once (the callback's deliveries are then refused by the receiver).
   */
  async remove(partnerId: string): Promise<void> {
    const current = await this.live(partnerId);
    const { integrations } = this.deps.repos;
    await this.deps.lifecycle.remove(current.id);
    const watch = ticketPolicyOf(current.ticketSettings).enabled ? this.deps.watch : undefined;
    await integrations.markDeleted(partnerId, current.id, { keepSecret: watch !== undefined });
    await closeIssues(
      this.deps.repos,
      { partnerId, integrationId: current.id },
      'the integration deleted',
    );
    // Its coverage (and its unbilled totals in the metrics) go with it; best effort.
    await this.deps.repos.billingSeats.forget(partnerId, current.id).catch(() => undefined);
    if (!watch) return;
    try {
      await watch.settingsChanged({ partnerId, integrationId: current.id });
    } catch {
      await integrations.dropDeletedSecret(partnerId, current.id);
    }
  }
}
