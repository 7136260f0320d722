import { noteHealth } from './health';
import { TICKET_HOLD_KINDS } from '../domain/health/issues';
import type { Logger } from '../config/logger';
import type { IntegrationRecord, Repositories } from '../db';
import type { CompanyMapping } from '../db/repositories/company-mappings';
import type { ProductMappingInput } from '../db/repositories/product-mappings';
import type { LifecycleClient } from '../temporal/lifecycle-client';
import type { SettingsChange } from '../workflows/messages';
import { notFound } from './errors';
import type { TicketClient } from './tickets/ticket-client';
import type { TicketWatchClient } from './tickets/watch-client';

export interface IntegrationSettingsDeps {
  repos: Pick<
    Repositories,
    'integrations' | 'companyMappings' | 'productMappings' | 'healthIssues'
  >;
  lifecycle: Pick<LifecycleClient, 'settingsChanged'>;
  /** Held ticket events go as soon as new ticket settings are saved. */
  tickets?: Pick<TicketClient, 'wakeAll'>;
  /** The ticket watch registers (or moves, or removes) the ConnectWise callback. */
  watch?: Pick<TicketWatchClient, 'settingsChanged'>;
  logger: Pick<Logger, 'warn'>;
}

export type SettingsField = 'ticketSettings' | 'billingSettings';

const CHANGE_OF: Record<SettingsField, SettingsChange['what']> = {
  ticketSettings: 'ticket_settings',
  billingSettings: 'billing_settings',
};

/**
 * Saving what a partner configures (ticket and billing settings, company and product mappings),
 * already checked. Each save tells the lifecycle workflow, so billing can queue a `config_change`
 * run.
 */
export class IntegrationSettingsService {
  constructor(private readonly deps: IntegrationSettingsDeps) {}

  async saveSettings<F extends SettingsField>(
    partnerId: string,
    integrationId: string,
    field: F,
    value: NonNullable<IntegrationRecord[F]>,
  ): Promise<IntegrationRecord> {
    const set: Partial<Pick<IntegrationRecord, SettingsField>> = { [field]: value };
    // Ticket settings saved (checked in ConnectWise when enabled) end a problem found before.
    const unset = field === 'ticketSettings' ? (['ticketSettingsProblem'] as const) : [];
    const saved = await this.deps.repos.integrations.update(partnerId, integrationId, set, [
      ...unset,
    ]);
    if (!saved) throw notFound('ConnectWise integration');
    if (field === 'ticketSettings') {
      // Checked in ConnectWise before the save: the refusal found before is gone (and with
      // tickets off, no callback is wanted).
      const off = (value as { enabled?: boolean }).enabled !== true;
      await noteHealth(
        this.deps.repos,
        { partnerId, integrationId },
        {
          kinds: [
            'ticket_setting_unusable',
            // Held events go again, unless the keys or a pause still hold them.
            ...(saved.state === 'active' ? TICKET_HOLD_KINDS : []),
            ...(off ? (['callback_missing'] as const) : []),
          ],
          by: 'ticket settings saved',
        },
        [],
      );
      await this.watchTickets(partnerId, integrationId);
    }
    await this.notify(integrationId, CHANGE_OF[field]);
    return saved;
  }

  async saveCompanyMappings(
    partnerId: string,
    integrationId: string,
    rows: CompanyMapping[],
  ): Promise<void> {
    await this.deps.repos.companyMappings.save(partnerId, integrationId, rows);
    await this.notify(integrationId, 'company_mappings');
  }

  /** The partner's own product mappings; unmapped skus go back to the engine's choice. */
  async saveProductMappings(
    partnerId: string,
    integrationId: string,
    change: { save: ProductMappingInput[]; remove: string[] },
  ): Promise<void> {
    const { productMappings } = this.deps.repos;
    await productMappings.save(partnerId, integrationId, change.save);
    await productMappings.remove(partnerId, integrationId, change.remove);
    await this.notify(integrationId, 'product_mappings');
  }

  /** The callback follows the ticket settings; saved either way (the watch checks it again when told). */
  private async watchTickets(partnerId: string, integrationId: string): Promise<void> {
    try {
      await this.deps.watch?.settingsChanged({ partnerId, integrationId });
    } catch (err) {
      this.deps.logger.warn(
        { integrationId, err: err instanceof Error ? err.message : String(err) },
        'the ticket watch could not be told of new ticket settings',
      );
    }
  }

  /** The settings are saved either way: a workflow that cannot be told reads them at its next run. */
  private async notify(integrationId: string, what: SettingsChange['what']): Promise<void> {
    if (what === 'ticket_settings') await this.wakeTickets(integrationId);
    try {
      await this.deps.lifecycle.settingsChanged(integrationId, {
        what,
        changedAt: new Date().toISOString(),
      });
    } catch (err) {
      this.deps.logger.warn(
        { err, integrationId, what },
        'lifecycle not told of a settings change',
      );
    }
  }

  /** Best effort: a held event not woken tries again on its own within minutes. */
  private async wakeTickets(integrationId: string): Promise<void> {
    try {
      await this.deps.tickets?.wakeAll(integrationId);
    } catch (err) {
      this.deps.logger.warn({ err, integrationId }, 'held ticket events not woken');
    }
  }
}
