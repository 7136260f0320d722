import type { Connection } from 'mongoose';
import { apiTokenModel } from './models/api-token';
import { companyMappingModel } from './models/company-mapping';
import { integrationModel } from './models/integration';
import { productMappingModel } from './models/product-mapping';
import { syncRunModel } from './models/sync-run';
import { customerModel, productModel, usageSetModel } from './models/vendor';
import { ApiTokenRepository } from './repositories/api-tokens';
import { CompanyMappingRepository } from './repositories/company-mappings';
import { IntegrationRepository } from './repositories/integrations';
import { ProductMappingRepository } from './repositories/product-mappings';
import { SyncRunRepository } from './repositories/sync-runs';
import { VendorRepository } from './repositories/vendor';

export { connectDatabase, pingDatabase } from './connection';
export type { Principal } from './repositories/api-tokens';
export type {
  IntegrationRecord,
  TicketSettings,
  BillingSettings,
} from './repositories/integrations';
export { IntegrationExistsError } from './repositories/integrations';
export type {
  ProductMapping,
  ProductMappingInput,
  ProductMappingSource,
} from './repositories/product-mappings';

export interface Repositories {
  syncRuns: SyncRunRepository;
  tokens: ApiTokenRepository;
  integrations: IntegrationRepository;
  vendor: VendorRepository;
  companyMappings: CompanyMappingRepository;
  productMappings: ProductMappingRepository;
}

/** Builds every repository on one connection; indexes are created here once, not at first use. */
export async function createRepositories(conn: Connection): Promise<Repositories> {
  const models = {
    syncRuns: syncRunModel(conn),
    tokens: apiTokenModel(conn),
    integrations: integrationModel(conn),
    customers: customerModel(conn),
    products: productModel(conn),
    usage: usageSetModel(conn),
    companyMappings: companyMappingModel(conn),
    productMappings: productMappingModel(conn),
  };
  await Promise.all(Object.values(models).map((m) => m.createIndexes()));
  return {
    syncRuns: new SyncRunRepository(models.syncRuns),
    tokens: new ApiTokenRepository(models.tokens),
    integrations: new IntegrationRepository(models.integrations),
    vendor: new VendorRepository(models.customers, models.products, models.usage),
    companyMappings: new CompanyMappingRepository(models.companyMappings),
    productMappings: new ProductMappingRepository(models.productMappings),
  };
}
