import { billingSeatsModel, coverageTotalsModel } from './models/billing-seats';
import { BillingSeatsRepository } from './repositories/billing-seats';
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { apiTokenModel } from './models/api-token';
import { billingApprovalModel } from './models/billing-approval';
import { billingLedgerModel } from './models/billing-ledger';
import { billingChangeModel } from './models/billing-change';
import { billingResultModel } from './models/billing-result';
import { billingSnapshotModel } from './models/billing-snapshot';
import { companyMappingModel } from './models/company-mapping';
import { callbackTokenModel } from './models/callback-token';
import { ticketIntakeModel } from './models/ticket-intake';
import { hostedTabTokenModel } from './models/hosted-tab-token';
import { integrationModel } from './models/integration';
import { integrationTenantModel } from './models/integration-tenant';
import { productMappingModel } from './models/product-mapping';
import { syncRunModel } from './models/sync-run';
import { ticketEventModel } from './models/ticket-event';
import { ticketHistoryModel } from './models/ticket-history';
import { healthIssueModel } from './models/health-issue';
import { webhookModel } from './models/webhook';
import { webhookDeliveryModel } from './models/webhook-delivery';
import { customerModel, productModel, usageSetModel } from './models/vendor';
import { ApiTokenRepository } from './repositories/api-tokens';
import { BillingApprovalRepository } from './repositories/billing-approvals';
import { BillingLedgerRepository } from './repositories/billing-ledger';
import { BillingChangeRepository } from './repositories/billing-changes';
import { BillingResultRepository } from './repositories/billing-results';
import { BillingSnapshotRepository } from './repositories/billing-snapshots';
import { CompanyMappingRepository } from './repositories/company-mappings';
import { CallbackTokenRepository } from './repositories/callback-tokens';
import { TicketIntakeRepository } from './repositories/ticket-intake';
import { HostedTabTokenRepository } from './repositories/hosted-tab-tokens';
import { IntegrationRepository } from './repositories/integrations';
import { ProductMappingRepository } from './repositories/product-mappings';
import { SyncRunRepository } from './repositories/sync-runs';
import { TicketEventRepository } from './repositories/ticket-events';
import { TicketHistoryRepository } from './repositories/ticket-history';
import { HealthIssueRepository } from './repositories/health-issues';
import { WebhookRepository } from './repositories/webhooks';
import { WebhookDeliveryRepository } from './repositories/webhook-deliveries';
import { VendorRepository } from './repositories/vendor';

export { connectDatabase, pingDatabase } from './connection';
export type { Principal } from './repositories/api-tokens';
export type { IntakeReport } from './repositories/ticket-intake';
export type { HealthChanges, HealthIssue } from './repositories/health-issue-record';
export type { NewWebhook, WebhookRecord } from './repositories/webhooks';
export { WebhookLimitError } from './repositories/webhooks';
export type { WebhookEmitter } from './repositories/webhook-deliveries';
export type {
  DeliveryState,
  DueDelivery,
  WebhookDelivery,
  WebhookEvent,
} from './repositories/webhook-delivery-record';
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
export type { Ledger, LedgerScope } from './repositories/billing-ledger';
export type {
  ApprovalStatus,
  BillingApproval,
  CandidateChoice,
  NewApproval,
} from './repositories/billing-approval-record';
export type { BillingChange } from './repositories/billing-changes';
export type { BillingResult } from './repositories/billing-results';
export type {
  TicketEventFilter,
  TicketEventRecord,
  TicketEventUpdate,
} from './repositories/ticket-event-record';
export type {
  AgreementPlanRecord,
  AgreementSnapshot,
  RunSnapshot,
  SnapshotProduct,
} from './repositories/billing-snapshots';

export interface Repositories {
  syncRuns: SyncRunRepository;
  tokens: ApiTokenRepository;
  integrations: IntegrationRepository;
  vendor: VendorRepository;
  companyMappings: CompanyMappingRepository;
  productMappings: ProductMappingRepository;
  billingLedger: BillingLedgerRepository;
  billingApprovals: BillingApprovalRepository;
  billingChanges: BillingChangeRepository;
  billingResults: BillingResultRepository;
  billingSeats: BillingSeatsRepository;
  billingSnapshots: BillingSnapshotRepository;
  ticketEvents: TicketEventRepository;
  ticketHistory: TicketHistoryRepository;
  healthIssues: HealthIssueRepository;
  hostedTabTokens: HostedTabTokenRepository;
  callbackTokens: CallbackTokenRepository;
  ticketIntake: TicketIntakeRepository;
  webhooks: WebhookRepository;
  /** The webhook outbox and delivery log; the other repositories emit their events through it. */
  webhookDeliveries: WebhookDeliveryRepository;
}

/** Settings of the repositories themselves; absent ones take the config schema's defaults. */
export type RepositoryOptions = Partial<Pick<Config, 'BILLING_AUDIT_RETENTION_DAYS'>> & {
  /** Where an event that could not be recorded for the webhooks is logged. */
  logger?: Pick<Logger, 'warn'>;
};

/** Builds every repository on one connection; indexes are created here once, not at first use. */
export async function createRepositories(
  conn: Connection,
  options: RepositoryOptions = {},
): Promise<Repositories> {
  const models = {
    syncRuns: syncRunModel(conn),
    tokens: apiTokenModel(conn),
    integrations: integrationModel(conn),
    integrationTenants: integrationTenantModel(conn),
    customers: customerModel(conn),
    products: productModel(conn),
    usage: usageSetModel(conn),
    companyMappings: companyMappingModel(conn),
    productMappings: productMappingModel(conn),
    billingLedger: billingLedgerModel(conn),
    billingApprovals: billingApprovalModel(conn),
    billingChanges: billingChangeModel(conn),
    billingResults: billingResultModel(conn),
    billingSeats: billingSeatsModel(conn),
    coverageTotals: coverageTotalsModel(conn),
    billingSnapshots: billingSnapshotModel(conn),
    ticketEvents: ticketEventModel(conn),
    ticketHistory: ticketHistoryModel(conn),
    healthIssues: healthIssueModel(conn),
    hostedTabTokens: hostedTabTokenModel(conn),
    callbackTokens: callbackTokenModel(conn),
    ticketIntake: ticketIntakeModel(conn),
    webhooks: webhookModel(conn),
    webhookDeliveries: webhookDeliveryModel(conn),
  };
  await Promise.all(Object.values(models).map((m) => m.createIndexes()));
  const billingChanges = new BillingChangeRepository(
    models.billingChanges,
    options.BILLING_AUDIT_RETENTION_DAYS,
  );
  const billingResults = new BillingResultRepository(
    models.billingResults,
    options.BILLING_AUDIT_RETENTION_DAYS,
  );
  const billingSnapshots = new BillingSnapshotRepository(models.billingSnapshots);
  const webhooks = new WebhookRepository(models.webhooks);
  // Every change a webhook tells of is emitted where it is written (db/webhook-events.ts).
  const webhookDeliveries = new WebhookDeliveryRepository(
    models.webhookDeliveries,
    webhooks,
    options.logger,
  );
  await Promise.all([
    billingChanges.ensureRetention(),
    billingResults.ensureRetention(),
    billingSnapshots.ensureRetention(),
  ]);
  return {
    syncRuns: new SyncRunRepository(models.syncRuns, webhookDeliveries),
    tokens: new ApiTokenRepository(models.tokens),
    integrations: new IntegrationRepository(models.integrations, models.integrationTenants),
    vendor: new VendorRepository(models.customers, models.products, models.usage),
    companyMappings: new CompanyMappingRepository(models.companyMappings),
    productMappings: new ProductMappingRepository(models.productMappings),
    billingLedger: new BillingLedgerRepository(models.billingLedger),
    billingApprovals: new BillingApprovalRepository(models.billingApprovals, webhookDeliveries),
    billingChanges,
    billingResults,
    billingSeats: new BillingSeatsRepository(models.billingSeats, models.coverageTotals),
    billingSnapshots,
    ticketEvents: new TicketEventRepository(models.ticketEvents, webhookDeliveries),
    ticketHistory: new TicketHistoryRepository(models.ticketHistory),
    healthIssues: new HealthIssueRepository(models.healthIssues, webhookDeliveries),
    hostedTabTokens: new HostedTabTokenRepository(models.hostedTabTokens),
    callbackTokens: new CallbackTokenRepository(models.callbackTokens),
    ticketIntake: new TicketIntakeRepository(models.ticketIntake),
    webhooks,
    webhookDeliveries,
  };
}
