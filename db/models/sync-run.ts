import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const SYNC_KINDS = ['billing', 'validation'] as const;
export const SYNC_TRIGGERS = ['schedule', 'manual', 'config_change'] as const;
export const SYNC_OUTCOMES = [
  'running',
  'succeeded',
  'partial',
  'failed',
  'skipped',
  'cancelled',
] as const;

const changeSchema = new Schema(
  {
    action: { type: String, required: true }, // created | updated | cancelled | adopted | skipped | conflict
    entity: { type: String, required: true },
    key: { type: String, required: true },
    from: { type: Schema.Types.Mixed },
    to: { type: Schema.Types.Mixed },
    reason: { type: String },
  },
  { _id: false },
);

const syncRunSchema = new Schema(
  {
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    kind: { type: String, enum: SYNC_KINDS, required: true },
    trigger: { type: String, enum: SYNC_TRIGGERS, required: true },
    workflowId: { type: String, required: true },
    runId: { type: String, required: true },
    /** Idempotency key: an activity retried after a lost reply must not record the run twice. */
    runKey: { type: String, required: true },
    startedAt: { type: Date, required: true },
    endedAt: { type: Date },
    outcome: { type: String, enum: SYNC_OUTCOMES, required: true },
    summary: { type: String },
    changes: { type: [changeSchema], default: [] },
    /** Billing runs: operations per action and agreements per outcome, updated as the run goes. */
    counts: { type: Schema.Types.Mixed },
    /** startedAt and runKey, the order the history is paged in (db/page.ts). */
    pageKey: { type: String, required: true },
  },
  { timestamps: true },
);
syncRunSchema.index({ partnerId: 1, integrationId: 1, runKey: 1 }, { unique: true });
// The history newest first, all runs or one kind (GET …/sync-runs, the status screen).
syncRunSchema.index({ partnerId: 1, integrationId: 1, pageKey: -1 });
syncRunSchema.index({ partnerId: 1, integrationId: 1, kind: 1, pageKey: -1 });
syncRunSchema.index({ partnerId: 1, integrationId: 1, trigger: 1, pageKey: -1 });
syncRunSchema.index({ partnerId: 1, integrationId: 1, outcome: 1, pageKey: -1 });

export type SyncRunDoc = InferSchemaType<typeof syncRunSchema>;
export type SyncRunModel = Model<SyncRunDoc>;

export function syncRunModel(conn: Connection): SyncRunModel {
  return modelOn<SyncRunDoc>(conn, 'SyncRun', syncRunSchema);
}
