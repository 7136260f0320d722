import type { ConnectWiseClient } from '../../connectwise';
import type { Repositories, RunSnapshot } from '../../db';
import { ensureCatalog } from './catalog';

type CatalogRepos = Pick<Repositories, 'vendor' | 'productMappings' | 'billingSnapshots'>;

/**
 * A run that waited for approval planned new skus against stand-in catalog ids (nothing was
 * created before approval). Once approved, this creates (or finds) their items and puts the real
 * ids in the run's snapshot, so the approved pass writes additions of real items. Idempotent: a
 * retry finds the items by the engine's keys. Skus still without an item are skipped with why.
 */
export async function ensureCatalogAfterApproval(
  repos: CatalogRepos,
  client: ConnectWiseClient,
  run: RunSnapshot,
  options: { signal?: AbortSignal } = {},
): Promise<Array<{ sku: string; reason: string }>> {
  const pending = run.products.filter((p) => p.catalogItemId < 0).map((p) => p.sku);
  if (pending.length === 0) return [];
  const { partnerId, integrationId } = run.ref;
  const catalog = await ensureCatalog(
    client,
    {
      products: await repos.vendor.listProducts(partnerId),
      needed: new Set(pending),
      mappings: await repos.productMappings.list(partnerId, integrationId),
      defaults: run.policy.catalogDefaults,
    },
    options,
  );
  await repos.productMappings.save(partnerId, integrationId, catalog.found);
  await repos.billingSnapshots.saveRun({
    ...run,
    products: run.products.flatMap((p) => {
      if (p.catalogItemId > 0) return [p];
      const id = catalog.items.get(p.sku);
      return id === undefined ? [] : [{ ...p, catalogItemId: id }];
    }),
    skippedSkus: [...run.skippedSkus, ...catalog.skipped],
  });
  return catalog.skipped;
}
