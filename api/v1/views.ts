import { z } from 'zod';
import { SECURITY_LEVELS } from '../../connectwise/schemas/common';
import { SYNC_KINDS, SYNC_OUTCOMES, SYNC_TRIGGERS } from '../../db/models/sync-run';
import { BILLING_PHASES } from '../../domain/billing/run';
import { APPLY_MODES, PRODUCT_CLASSES, ZERO_USAGE_POLICIES } from '../../domain/billing/settings';

/** Response schemas shared by several routes; each route's own live beside it. */

const level = z.enum(SECURITY_LEVELS);
const roleLevels = z.object({ add: level, edit: level, delete: level, inquire: level });

/** Test Connection's answer (services/connection-report.ts). */
export const connectionReportView = z.object({
  ok: z.boolean(),
  testedAt: z.string(),
  site: z.object({ value: z.string(), apiOrigin: z.string().optional(), reachable: z.boolean() }),
  company: z.object({
    companyId: z.string(),
    found: z.boolean(),
    name: z.string().optional(),
    codebase: z.string().optional(),
    versionNumber: z.string().optional(),
    isCloud: z.boolean().optional(),
  }),
  authenticated: z.boolean(),
  server: z
    .object({
      version: z.string().optional(),
      cloudRegion: z.string().optional(),
      /** ConnectWise's serverTimeZone (a Windows zone name); null when it did not say. */
      timeZone: z.string().nullable().optional(),
    })
    .optional(),
  role: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      required: roleLevels,
      granted: roleLevels.optional(),
      status: z.enum(['ok', 'missing', 'unverified']),
      problems: z.array(z.string()),
    }),
  ),
  problems: z.array(z.string()),
});

/** Ticket settings with the defaults applied (domain/tickets/settings.ts ticketPolicyOf). */
export const ticketSettingsView = z.object({
  enabled: z.boolean(),
  boardId: z.number().nullable(),
  sourceId: z.number().nullable(),
  initialStatusId: z.number().nullable(),
  closingStatusId: z.number().nullable(),
  /** A ConnectWise priority id per severity; a severity left out: ConnectWise's default priority. */
  priorityBySeverity: z.object({
    low: z.number().optional(),
    medium: z.number().optional(),
    high: z.number().optional(),
    critical: z.number().optional(),
  }),
  /** Whether ConnectWise runs its notifications (emails) when the engine adds or changes a ticket. */
  processNotifications: z.boolean(),
  noteWindowMinutes: z.number(),
  /** 0: a resolved event's ticket is never reopened. */
  reopenWindowHours: z.number(),
  maxEventAgeHours: z.number(),
  /** Open tickets are read again this often, whatever callbacks said. */
  pollMinutes: z.number(),
});

/** Billing settings with the defaults applied (api/v1/billing-settings.ts). */
export const billingSettingsView = z.object({
  enabled: z.boolean(),
  /** With billing off: whether the engine's additions were released (null: billing on, or never said). */
  releaseAdditions: z.boolean().nullable(),
  agreements: z.array(z.object({ customerId: z.string(), agreementId: z.number() })),
  zeroUsage: z.enum(ZERO_USAGE_POLICIES),
  syncPrices: z.boolean(),
  /** null: the zone of ConnectWise's serverTimeZone. */
  timeZone: z.string().nullable(),
  catalogDefaults: z.object({
    categoryId: z.number().nullable(),
    subcategoryId: z.number().nullable(),
    typeId: z.number().nullable(),
    productClass: z.enum(PRODUCT_CLASSES).nullable(),
  }),
  concurrency: z.number(),
  apply: z.enum(APPLY_MODES),
  approvalExpiryHours: z.number(),
  approvalOverdueHours: z.number(),
  maxSeatDropShare: z.number(),
  maxZeroedShare: z.number(),
  staleUsageHours: z.number(),
  /** null: the engine's default period. */
  syncIntervalMinutes: z.number().nullable(),
});

/** An integration as the API shows it (api/v1/integration-view.ts): never the private key. */
export const integrationViewSchema = z.object({
  id: z.string(),
  partnerId: z.string(),
  site: z.string(),
  companyId: z.string(),
  publicKey: z.string(),
  hasPrivateKey: z.boolean(),
  codebase: z.string().nullable(),
  isCloud: z.boolean().nullable(),
  versionNumber: z.string().nullable(),
  state: z.string(),
  stateReason: z.string().nullable(),
  lastValidation: connectionReportView.nullable(),
  ticketSettings: ticketSettingsView.partial().extend({ enabled: z.boolean() }).nullable(),
  billingSettings: billingSettingsView.nullable(),
  tenantChanges: z.array(
    z.object({
      at: z.string(),
      action: z.enum(['reset', 'same_tenant']),
      from: z.object({ apiOrigin: z.string(), companyId: z.string() }),
      to: z.object({ apiOrigin: z.string(), companyId: z.string() }),
      cleared: z.object({
        companyMappings: z.number(),
        productMappings: z.number().optional(),
        settings: z.array(z.string()),
      }),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const billingProgressView = z.object({
  runKey: z.string(),
  trigger: z.enum(SYNC_TRIGGERS),
  phase: z.enum(BILLING_PHASES),
  agreementsTotal: z.number(),
  agreementsDone: z.number(),
  operationsApplied: z.number(),
});

const runSummaryView = z.object({
  trigger: z.enum(SYNC_TRIGGERS),
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.enum(SYNC_OUTCOMES),
  summary: z.string(),
  syncRunId: z.string().optional(),
  runKey: z
    .string()
    .optional()
    .describe(
      'The runWorkflowId Synchronize answered for this run, whether or not a billing run started: its row is GET …/sync-runs/{runKey}',
    ),
  runWorkflowId: z
    .string()
    .optional()
    .describe('The billing run workflow, when one ran (its row in the Temporal UI)'),
});

/** The lifecycle workflow's status query (workflows/messages.ts IntegrationStatus). */
export const workflowStatusView = z.object({
  integrationId: z.string(),
  partnerId: z.string(),
  lifecycle: z.string(),
  startedAt: z.string(),
  nextRunAt: z.string().nullable(),
  pendingRequests: z.number(),
  synchronizeRequests: z.array(
    z.object({ requestedAt: z.string(), requestedBy: z.string().optional() }),
  ),
  lastRuns: z.array(runSummaryView),
  generation: z.number(),
  lastSettingsChange: z
    .object({
      what: z.enum(['ticket_settings', 'billing_settings', 'company_mappings', 'product_mappings']),
      changedAt: z.string(),
    })
    .nullable(),
  currentRun: z
    .object({ runWorkflowId: z.string(), trigger: z.enum(SYNC_TRIGGERS), startedAt: z.string() })
    .nullable()
    .optional(),
});

export const syncRunView = z.object({
  id: z.string(),
  kind: z.enum(SYNC_KINDS),
  trigger: z.enum(SYNC_TRIGGERS),
  outcome: z.enum(SYNC_OUTCOMES),
  summary: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  workflowId: z.string(),
  runId: z.string(),
  /** Billing runs: operations per action, and agreements per outcome. */
  counts: z.record(z.string(), z.unknown()).nullable(),
  changes: z.array(
    z.object({
      action: z.string(),
      entity: z.string(),
      key: z.string(),
      from: z.unknown().optional(),
      to: z.unknown().optional(),
      reason: z.string().optional(),
    }),
  ),
});
