import { LRUCache } from 'lru-cache';
import { listAllCompanies, type Company, type ConnectWiseClient } from '../connectwise';
import type { IntegrationRecord } from '../db';
import { tenantKeyOfIntegration } from '../services/tenant';

/** How long a tenant's company list is reused: the mapping screen's suggestions may lag this. */
export const COMPANY_LIST_TTL_MS = 60_000;

/**
 * Each integration's ConnectWise companies (the mapping screen's suggestions and current names),
 * read at most once a minute per integration and tenant, and once at a time: a portal polling the
 * company mappings must not page through the MSP's whole company list on every request (its
 * ConnectWise API would answer 429 to everyone). A failed read is not kept. `fresh` reads it now
 * (and keeps that): the console asks so when the partner opens the mapping screen, which shows
 * companies renamed or deleted in ConnectWise. lru-cache gives the expiry and the
 * one-read-at-a-time (`fetch` shares the read under way).
 */
export class CompanyLists {
  private readonly cache: LRUCache<string, Company[], ConnectWiseClient>;

  constructor(options: { ttlMs?: number; max?: number } = {}) {
    this.cache = new LRUCache({
      max: options.max ?? 1_000,
      ttl: options.ttlMs ?? COMPANY_LIST_TTL_MS,
      fetchMethod: (_key, _stale, { context }) => listAllCompanies(context),
    });
  }

  async of(
    integration: IntegrationRecord,
    client: ConnectWiseClient,
    { fresh = false }: { fresh?: boolean } = {},
  ): Promise<Company[]> {
    const key = `${integration.id}\n${tenantKeyOfIntegration(integration)}`;
    const kept = await this.cache.fetch(key, { context: client, forceRefresh: fresh });
    return kept ?? (await listAllCompanies(client));
  }
}
