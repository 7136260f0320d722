import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const INTEGRATION_STATES = [
  'draft',
  'active',
  'paused',
  'credentials_invalid',
  'deleted',
] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

const sealedSchema = new Schema(
  {
    kid: { type: String, required: true },
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    ct: { type: String, required: true },
  },
  { _id: false },
);

/** A ConnectWise priority id per event severity (domain/tickets/settings.ts SEVERITIES). */
const priorityBySeveritySchema = new Schema(
  {
    low: { type: Number },
    medium: { type: Number },
    high: { type: Number },
    critical: { type: Number },
  },
  { _id: false, minimize: false },
);

/**
 * The policy fields (domain/tickets/settings.ts TicketPolicy) are optional: older integrations
 * have none, and `ticketPolicyOf` supplies defaults. The API validates values. `minimize: false`
 * here too, since a subdocument is written with its own schema's option: an empty
 * `priorityBySeverity` is kept as saved.
 */
const ticketSettingsSchema = new Schema(
  {
    enabled: { type: Boolean, required: true },
    boardId: { type: Number },
    sourceId: { type: Number },
    initialStatusId: { type: Number },
    closingStatusId: { type: Number },
    priorityBySeverity: { type: priorityBySeveritySchema },
    processNotifications: { type: Boolean },
    noteWindowMinutes: { type: Number },
    pollMinutes: { type: Number },
    reopenWindowHours: { type: Number },
    maxEventAgeHours: { type: Number },
  },
  { _id: false, minimize: false },
);

const agreementChoiceSchema = new Schema(
  { customerId: { type: String, required: true }, agreementId: { type: Number, required: true } },
  { _id: false },
);

const catalogDefaultsSchema = new Schema(
  {
    categoryId: { type: Number },
    subcategoryId: { type: Number },
    typeId: { type: Number },
    productClass: { type: String },
  },
  { _id: false },
);

/**
 * The policy fields (domain/billing/settings.ts BillingPolicySettings) are optional: older
 * integrations have none, and `billingPolicyOf` supplies defaults. The API validates values.
 */
const billingSettingsSchema = new Schema(
  {
    enabled: { type: Boolean, required: true },
    /** With billing off: release the engine's additions (true) or leave them (false). */
    releaseAdditions: { type: Boolean },
    agreements: { type: [agreementChoiceSchema], default: [] },
    zeroUsage: { type: String },
    syncPrices: { type: Boolean },
    /** An IANA zone, or null: derived from ConnectWise's serverTimeZone. */
    timeZone: { type: String },
    catalogDefaults: { type: catalogDefaultsSchema },
    concurrency: { type: Number },
    apply: { type: String },
    approvalExpiryHours: { type: Number },
    approvalOverdueHours: { type: Number },
    maxSeatDropShare: { type: Number },
    maxZeroedShare: { type: Number },
    staleUsageHours: { type: Number },
    syncIntervalMinutes: { type: Number },
  },
  { _id: false },
);

const integrationSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    /** partnerId while the integration lives; unique, so a partner has one ConnectWise integration. */
    slot: { type: String, required: true },
    /** A cloud region code (`na`, `eu`, …) or an on-premise https origin. */
    site: { type: String, required: true },
    companyId: { type: String, required: true },
    publicKey: { type: String, required: true },
    /** AES-256-GCM, bound to this integration's id; removed when the integration is deleted. */
    privateKey: { type: sealedSchema },
    codebase: { type: String },
    isCloud: { type: Boolean },
    versionNumber: { type: String },
    state: { type: String, enum: INTEGRATION_STATES, required: true },
    stateReason: { type: String },
    lastValidation: { type: Schema.Types.Mixed },
    ticketSettings: { type: ticketSettingsSchema },
    /**
     * Set when ConnectWise refused a ticket because of the ticket settings (a board or status
     * deleted or moved): which setting and why. Tickets are held until the settings are saved again.
     */
    ticketSettingsProblem: { type: String },
    /** Why ConnectWise cannot call the engine back for tickets (polling alone follows them). */
    ticketCallbackProblem: { type: String },
    billingSettings: { type: billingSettingsSchema },
    /** Each change of ConnectWise tenant (domain/tenant.ts), newest last; bounded. */
    tenantChanges: { type: [Schema.Types.Mixed], default: [] },
    /** Counts resets to another tenant: ledger entries and approvals name the epoch they were made in. */
    tenantEpoch: { type: Number, default: 0 },
    deletedAt: { type: Date },
  },
  { timestamps: true, minimize: false },
);
integrationSchema.index({ slot: 1 }, { unique: true });
integrationSchema.index({ partnerId: 1 });

export type IntegrationDoc = InferSchemaType<typeof integrationSchema>;
export type IntegrationModel = Model<IntegrationDoc>;

export function integrationModel(conn: Connection): IntegrationModel {
  return modelOn<IntegrationDoc>(conn, 'Integration', integrationSchema);
}
