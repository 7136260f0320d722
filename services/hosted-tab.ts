import {
  createHostedSetup,
  deleteHostedSetup,
  isConnectWiseError,
  listHostedScreens,
  listHostedSetups,
  patchHostedSetup,
  replace,
  type ConnectWiseClient,
  type HostedSetup,
} from '../connectwise';
import type { Repositories } from '../db';
import {
  checkSetup,
  HOSTED_TAB_NAME,
  redactToken,
  repairsOf,
  tokenInUrl,
  wantedSetup,
  type HostedTabCheck,
  type HostedTabTarget,
  type RepairField,
} from '../domain/hosted-tab/setup';
import { newHostedToken } from '../security/hosted-token';
import { ServiceError } from './errors';
import { isCurrentToken, tenantEpochOf, type TabIntegration } from './hosted-tab-token';

export interface HostedTabDeps {
  repos: Pick<Repositories, 'hostedTabTokens'>;
  /** PUBLIC_BASE_URL: where browsers reach the engine. */
  publicBaseUrl: string | undefined;
}

/** Our setup as the API shows it: the install token hidden. */
export interface HostedSetupView {
  id: number;
  screenId: number | null;
  description: string;
  type: string | null;
  url: string;
  origin: string | null;
  enabled: boolean;
}

export interface InstallResult {
  action: 'created' | 'repaired';
  changed: RepairField[];
  setup: HostedSetupView;
}

export interface VerifyResult {
  installed: boolean;
  ok: boolean;
  setup: HostedSetupView | null;
  checks: HostedTabCheck[];
}

export const viewOf = (s: HostedSetup): HostedSetupView => ({
  id: s.id,
  screenId: s.screenId,
  description: s.description,
  type: s.type,
  url: redactToken(s.url),
  origin: s.origin ?? null,
  enabled: s.disabledFlag !== true,
});

const HOSTED_API_DENIED =
  'ConnectWise refused to manage hosted tabs: the API member\u2019s security role needs System \u2192 Table Setup (Inquire, Add, Edit, Delete: All) with the customize item \u201cManage Hosted API\u201d allowed.';

/** A 403 from the hosted API names what to grant; other failures go on as they are. */
async function hostedCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'permission') {
      throw new ServiceError('conflict', 'connectwise_hosted_api_denied', HOSTED_API_DENIED);
    }
    throw err;
  }
}

/**
 * Install (or repair), verify and remove the engine's `DefensX` tab on the ConnectWise Company
 * screen. Ours is the setup named `DefensX` (ConnectWise keeps descriptions unique); nothing else
 * is read for writing, so another vendor's setups are never touched. Each install replaces the
 * install token: the new one is stored before ConnectWise gets the URL, the old ones are dropped
 * after, so a failed write leaves the tab working as it was.
 */
export class HostedTabService {
  constructor(private readonly deps: HostedTabDeps) {}

  private baseUrl(): string {
    if (this.deps.publicBaseUrl === undefined) {
      throw new ServiceError(
        'unavailable',
        'hosted_tab_not_configured',
        'the engine has no PUBLIC_BASE_URL, so ConnectWise could not reach the tab; the operator sets it',
      );
    }
    return this.deps.publicBaseUrl;
  }

  private async target(client: ConnectWiseClient): Promise<HostedTabTarget> {
    const baseUrl = this.baseUrl();
    const screens = await listHostedScreens(client);
    const company = screens.find(
      (s) => s.screenId?.toLowerCase() === 'company' || s.name?.toLowerCase() === 'company',
    );
    if (!company) {
      throw new ServiceError(
        'check_failed',
        'connectwise_no_company_screen',
        'ConnectWise lists no Company screen among its hosted screens',
      );
    }
    return { screenId: company.id, baseUrl };
  }

  private async ours(client: ConnectWiseClient): Promise<HostedSetup | undefined> {
    const found = await listHostedSetups(client, { description: HOSTED_TAB_NAME });
    // The condition is case-insensitive on ConnectWise's side; ours is spelled exactly.
    return found.find((s) => s.description === HOSTED_TAB_NAME);
  }

  async install(client: ConnectWiseClient, integration: TabIntegration): Promise<InstallResult> {
    return await hostedCall(async () => {
      const target = await this.target(client);
      const existing = await this.ours(client);
      const token = newHostedToken();
      const tokens = this.deps.repos.hostedTabTokens;
      await tokens.add({
        selector: token.selector,
        verifierHash: token.verifierHash,
        partnerId: integration.partnerId,
        integrationId: integration.id,
        tenantEpoch: tenantEpochOf(integration),
      });
      let result: InstallResult;
      try {
        result = await this.write(client, existing, wantedSetup(target, token.token));
      } catch (err) {
        await tokens.remove(integration.partnerId, integration.id, token.selector);
        throw err;
      }
      await tokens.removeAll(integration.partnerId, integration.id, token.selector);
      return result;
    });
  }

  private async write(
    client: ConnectWiseClient,
    existing: HostedSetup | undefined,
    wanted: ReturnType<typeof wantedSetup>,
  ): Promise<InstallResult> {
    if (!existing) {
      const created = await createHostedSetup(client, wanted);
      return { action: 'created', changed: [], setup: viewOf(created) };
    }
    const repairs = repairsOf(existing, wanted);
    const patched = await patchHostedSetup(
      client,
      existing.id,
      repairs.map((r) => replace(r.field, r.value)),
    );
    return { action: 'repaired', changed: repairs.map((r) => r.field), setup: viewOf(patched) };
  }

  async verify(client: ConnectWiseClient, integration: TabIntegration): Promise<VerifyResult> {
    return await hostedCall(async () => {
      const target = await this.target(client);
      const setup = await this.ours(client);
      const current =
        setup !== undefined &&
        (await isCurrentToken(this.deps.repos, integration, tokenInUrl(setup.url)));
      const checks = checkSetup(setup, target, current);
      return {
        installed: setup !== undefined,
        ok: checks.every((c) => c.ok),
        setup: setup ? viewOf(setup) : null,
        checks,
      };
    });
  }

  /** Deletes our setup (only ours) and forgets the install tokens. */
  async remove(
    client: ConnectWiseClient,
    integration: TabIntegration,
  ): Promise<{ removed: boolean; setupId: number | null }> {
    return await hostedCall(async () => {
      const setup = await this.ours(client);
      if (setup) await deleteHostedSetup(client, setup.id);
      await this.deps.repos.hostedTabTokens.removeAll(integration.partnerId, integration.id);
      return { removed: setup !== undefined, setupId: setup?.id ?? null };
    });
  }
}
