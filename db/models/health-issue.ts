import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Health issues (domain/health/issues.ts): one document per (integration, kind, object), its
 * `_id` natural, so however many runs find the same problem at once there is one issue. Its
 * latest episode: resolved and found again, it opens afresh (first seen, occurrences reset).
 */
const healthIssueSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    /** A HealthIssueKind. */
    kind: { type: String, required: true },
    objectType: { type: String, required: true },
    objectId: { type: String, required: true },
    objectName: { type: String, default: null },
    message: { type: String, required: true },
    fix: { type: String, required: true },
    /** open | resolved */
    state: { type: String, required: true },
    firstSeen: { type: Date, required: true },
    lastSeen: { type: Date, required: true },
    /** How many checks found it in this episode. */
    occurrences: { type: Number, required: true },
    resolvedAt: { type: Date, default: null },
    resolvedBy: { type: String, default: null },
    /** firstSeen and _id, the order issues are paged in (db/page.ts). */
    pageKey: { type: String, required: true },
  },
  { collection: 'healthIssues', minimize: false },
);
// The list (all, by state, by kind, by both) newest first; a check's open issues of its kinds.
healthIssueSchema.index({ partnerId: 1, integrationId: 1, pageKey: -1 });
healthIssueSchema.index({ partnerId: 1, integrationId: 1, state: 1, pageKey: -1 });
healthIssueSchema.index({ partnerId: 1, integrationId: 1, kind: 1, pageKey: -1 });
healthIssueSchema.index({ partnerId: 1, integrationId: 1, state: 1, kind: 1, pageKey: -1 });
// Open issues of every integration, by kind (the metrics gauge).
healthIssueSchema.index({ state: 1, kind: 1 });

export type HealthIssueDoc = InferSchemaType<typeof healthIssueSchema>;
export type HealthIssueModel = Model<HealthIssueDoc>;

export function healthIssueModel(conn: Connection): HealthIssueModel {
  return modelOn<HealthIssueDoc>(conn, 'HealthIssue', healthIssueSchema);
}
