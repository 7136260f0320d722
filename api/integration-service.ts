import { randomUUID } from 'node:crypto';
import { TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { IntegrationExistsError, type IntegrationRecord, type Repositories } from '../db';
import type { Keyring } from '../security';
import type { ConnectionReport } from '../services/connection-report';
import type { CwCredentials } from '../services/cw-settings';
import { openPrivateKey, sealPrivateKey } from '../services/integration-client';
import type { testConnectionWorkflow } from '../workflows';
import { testConnectionWorkflowId } from '../workflows/ids';
import { PartnerIdKey, SyncKindKey } from '../workflows/search-attributes';
import { HttpError, notFound, validationError } from './errors';
import type { LifecycleClient } from './lifecycle';

export interface IntegrationServiceDeps {
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
  repos: Repositories;
  keyring: Keyring;
  lifecycle: LifecycleClient;
}

/**
 * A stored private key is only ever sent to the site and company it was entered for: otherwise
 * anyone able to change the site could have the engine deliver it to a server of their own.
 */
export const RETYPE_PRIVATE_KEY =
  'enter the private key again when changing the site, Company ID or public key';

const testFailed = (report: ConnectionReport) =>
  new HttpError(422, 'connection_test_failed', 'Test Connection did not pass; nothing was saved', {
    report,
  });

/** Creating, changing and removing a partner's integration; every credential change is tested first. */
export class IntegrationService {
  constructor(private readonly deps: IntegrationServiceDeps) {}

  async testConnection(partnerId: string, creds: CwCredentials): Promise<ConnectionReport> {
    try {
      return await this.deps.temporal.workflow.execute<typeof testConnectionWorkflow>(
        'testConnectionWorkflow',
        {
          taskQueue: this.deps.config.TEMPORAL_TASK_QUEUE,
          workflowId: testConnectionWorkflowId(partnerId, randomUUID()),
          args: [creds],
          // A partner is waiting: with no worker polling, say so within a minute and a half.
          workflowExecutionTimeout: '90 seconds',
          typedSearchAttributes: [
            { key: PartnerIdKey, value: partnerId },
            { key: SyncKindKey, value: 'validation' },
          ],
        },
      );
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure) {
        throw new HttpError(
          503,
          'engine_unavailable',
          'the engine did not run the test in time; try again in a minute',
        );
      }
      if (err instanceof WorkflowFailedError) {
        throw new HttpError(
          502,
          'connectwise_unavailable',
          'ConnectWise did not answer reliably; try again in a minute',
        );
      }
      throw err;
    }
  }

  async live(partnerId: string): Promise<IntegrationRecord> {
    const integration = await this.deps.repos.integrations.findForPartner(partnerId);
    if (!integration) throw notFound('ConnectWise integration');
    return integration;
  }

  async create(partnerId: string, creds: CwCredentials): Promise<IntegrationRecord> {
    if (await this.deps.repos.integrations.findForPartner(partnerId)) throw this.exists();
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
      if (err instanceof IntegrationExistsError) throw this.exists();
      throw err;
    }
    try {
      await this.deps.lifecycle.start(integration);
    } catch {
      // Without its workflow the integration would never sync: undo, so a retry starts clean.
      await this.deps.repos.integrations.markDeleted(partnerId, integration.id);
      throw new HttpError(
        503,
        'temporal_unavailable',
        'the workflow service is unavailable; nothing was saved, try again',
      );
    }
    return integration;
  }

  /**
   * Changes site, company or keys after a passing test; a failing test changes nothing. A passing
   * test also brings a credentials_invalid integration back to active.
   */
  async update(partnerId: string, change: Partial<CwCredentials>): Promise<IntegrationRecord> {
    const current = await this.live(partnerId);
    const movesKey = [change.site, change.companyId, change.publicKey].some((v) => v !== undefined);
    if (movesKey && change.privateKey === undefined) {
      throw validationError([{ field: 'body.privateKey', message: RETYPE_PRIVATE_KEY }]);
    }
    const creds: CwCredentials = {
      site: change.site ?? current.site,
      companyId: change.companyId ?? current.companyId,
      publicKey: change.publicKey ?? current.publicKey,
      privateKey: change.privateKey ?? this.storedPrivateKey(current),
    };
    const report = await this.testConnection(partnerId, creds);
    if (!report.ok) throw testFailed(report);
    const updated = await this.deps.repos.integrations.update(
      partnerId,
      current.id,
      {
        site: creds.site,
        companyId: creds.companyId,
        publicKey: creds.publicKey,
        privateKey: sealPrivateKey(this.deps.keyring, current.id, creds.privateKey),
        codebase: report.company.codebase,
        isCloud: report.company.isCloud,
        versionNumber: report.company.versionNumber,
        lastValidation: report,
        state: current.state === 'credentials_invalid' ? 'active' : current.state,
      },
      ['stateReason'],
      // A pause, a 401 or another change of keys during the test wins; this one is refused.
      { state: current.state, privateKeyCt: current.privateKey?.ct },
    );
    if (!updated) throw this.changedMeanwhile();
    return updated;
  }

  /** Paused: runs are skipped (no ConnectWise calls) until resumed. Only an active one pauses. */
  async setPaused(partnerId: string, paused: boolean): Promise<IntegrationRecord> {
    const current = await this.live(partnerId);
    const from = paused ? 'active' : 'paused';
    if (current.state !== from) {
      throw new HttpError(409, 'invalid_state', `the integration is ${current.state}, not ${from}`);
    }
    const updated = await this.deps.repos.integrations.update(
      partnerId,
      current.id,
      { state: paused ? 'paused' : 'active' },
      [],
      { state: from },
    );
    if (!updated) throw this.changedMeanwhile();
    return updated;
  }

  /** Stops the workflow and drops the secret; the record and the sync history stay. */
  async remove(partnerId: string): Promise<void> {
    const current = await this.live(partnerId);
    await this.deps.lifecycle.remove(current.id);
    await this.deps.repos.integrations.markDeleted(partnerId, current.id);
  }

  private storedPrivateKey(integration: IntegrationRecord): string {
    if (!integration.privateKey)
      throw new HttpError(409, 'no_credentials', 'enter the private key again');
    return openPrivateKey(this.deps.keyring, integration.id, integration.privateKey);
  }

  private changedMeanwhile() {
    return new HttpError(
      409,
      'conflict',
      'the integration changed meanwhile; reload it and try again',
    );
  }

  private exists() {
    return new HttpError(
      409,
      'integration_exists',
      'this partner already has a ConnectWise integration; change or delete it',
    );
  }
}
