/**
 * The naive baseline, written here and nowhere else: sequential, with the project's ConnectWise
 * client, for every customer and sku one GET to find the agreement's addition for the product
 * (conditions on product id), then a POST when there is none or a PATCH of its quantity (a
 * rewrite, changed or not). It works on its own sample of customers and agreements, so it never
 * touches the engine's; the driver scales its figures linearly to the engine's customers.
 */
import {
  createAddition,
  createConnectWiseClient,
  findOpenAdditionsForProduct,
  patchAddition,
  replace,
  type ConnectWiseClient,
} from '../../connectwise';
import { catalogIdentifier, catalogXRef } from '../../domain/billing/settings';
import { DEFAULT_CODEBASE, DEMO_CREDENTIALS } from '../../simulator';
import type { NaiveFigures } from './report';
import type { Bench } from './setup';
import { agreementIdOf, PRODUCTS } from './tenant';

export interface Naive {
  run(): Promise<NaiveFigures>;
}

export async function createNaive(bench: Bench): Promise<Naive> {
  const client: ConnectWiseClient = await createConnectWiseClient({
    site: bench.sim.origin,
    companyId: DEMO_CREDENTIALS.companyId,
    publicKey: DEMO_CREDENTIALS.publicKey,
    privateKey: DEMO_CREDENTIALS.privateKey,
    clientId: DEMO_CREDENTIALS.clientId,
    allowPrivateHosts: true,
    codebase: DEFAULT_CODEBASE,
  });
  // The catalog item of each sku, once (after the engine's first run created them); not counted.
  const catalog = await bench.sim.admin.state.catalog();
  const productIds = new Map<string, number>();
  for (const p of PRODUCTS) {
    const item = catalog.find(
      (c) =>
        c.integrationXRef === catalogXRef(p.sku) ||
        c.identifier.toLowerCase() === catalogIdentifier(p.sku).toLowerCase(),
    );
    if (!item) throw new Error(`no catalog item for ${p.sku}: run the engine's first sync first`);
    productIds.set(p.sku, item.id);
  }
  const price = new Map(PRODUCTS.map((p) => [p.sku, p]));

  return {
    async run() {
      await bench.sim.admin.journal.clear();
      const started = performance.now();
      for (const [i, lines] of bench.naiveUsage) {
        const agreementId = agreementIdOf(i);
        for (const [sku, quantity] of lines) {
          const productId = productIds.get(sku)!;
          const [found] = await findOpenAdditionsForProduct(
            client,
            agreementId,
            productId,
            new Date(),
          );
          if (found) {
            await patchAddition(client, agreementId, found.id, [replace('quantity', quantity)]);
          } else {
            await createAddition(client, agreementId, {
              product: { id: productId },
              billCustomer: 'Billable',
              effectiveDate: new Date(),
              quantity,
              unitPrice: price.get(sku)?.price,
              unitCost: price.get(sku)?.cost,
            });
          }
        }
      }
      const sampleWallMs = performance.now() - started;
      return {
        sample: bench.naiveUsage.size,
        customers: bench.opts.customers,
        sampleCalls: await bench.sim.admin.journal.counts(),
        sampleWallMs,
      };
    },
  };
}
