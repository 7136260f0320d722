import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * What happened to an event's ticket in ConnectWise, one entry per change the engine saw
 * (closed, reopened, status, priority or owner changed, deleted): the ticket's history behind
 * `GET …/events/{key}/history`. `_id` is natural (the event, the change's time and kind), so a
 * change seen twice (a callback and a poll) is one entry.
 */
const ticketHistorySchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    key: { type: String, required: true },
    generation: { type: Number, required: true },
    ticketId: { type: Number, required: true },
    at: { type: Date, required: true },
    /** closed | reopened | changed | deleted (domain/tickets/connectwise-state.ts). */
    kind: { type: String, required: true },
    detail: { type: String, default: '' },
    /** at and _id, the order the history is paged in (db/page.ts). */
    pageKey: { type: String, required: true },
  },
  { collection: 'ticketHistory', minimize: false },
);
ticketHistorySchema.index({ partnerId: 1, integrationId: 1, key: 1, pageKey: -1 });

export type TicketHistoryDoc = InferSchemaType<typeof ticketHistorySchema>;
export type TicketHistoryModel = Model<TicketHistoryDoc>;

export function ticketHistoryModel(conn: Connection): TicketHistoryModel {
  return modelOn<TicketHistoryDoc>(conn, 'TicketHistory', ticketHistorySchema);
}
