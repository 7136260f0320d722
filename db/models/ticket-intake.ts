import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

/**
 * A security event report accepted by the API and not yet handed to its ticket workflow: the
 * outbox of services/tickets/intake.ts. The API answers once the batch's reports are written
 * here; its dispatcher signals each to Temporal and deletes it. `claimedBy` / `claimedUntil` is a
 * lease: the process that accepted a report dispatches it; a report whose lease ran out (its
 * process died, or Temporal was down for long) is claimed by whichever process sweeps first.
 */
const ticketIntakeSchema = new Schema(
  {
    /** `<integrationId>:<key>:<random>`: the report's id, also carried by its signal. */
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    /** The ticket workflow it goes to: a resolve waits until none of its reports is left here. */
    workflowId: { type: String, required: true },
    /** The report as posted (domain/tickets/event.ts SecurityEvent). */
    event: { type: Schema.Types.Mixed, required: true },
    /** Order of the reports of one key within a batch (they are signalled in it). */
    seq: { type: Number, required: true },
    claimedBy: { type: String, required: true },
    claimedUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'ticketIntake', minimize: false, versionKey: false },
);
// The sweep: reports whose lease ran out; then the ones a sweep just claimed.
ticketIntakeSchema.index({ claimedUntil: 1 });
ticketIntakeSchema.index({ claimedBy: 1, claimedUntil: 1 });
// A resolve: reports of its event still waiting (any process's).
ticketIntakeSchema.index({ workflowId: 1 });

export type TicketIntakeDoc = InferSchemaType<typeof ticketIntakeSchema>;
export type TicketIntakeModel = Model<TicketIntakeDoc>;

export function ticketIntakeModel(conn: Connection): TicketIntakeModel {
  return modelOn<TicketIntakeDoc>(conn, 'TicketIntake', ticketIntakeSchema);
}
