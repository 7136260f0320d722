import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

/**
 * One security event and its ticket, as its workflow (workflows/ticket.ts) last recorded it: the
 * read model behind `GET …/tickets`. `_id` is the natural key (partnerId, integrationId, key). The
 * API inserts it on the first POST of a key (and never writes it again); from then on only the
 * event's workflow writes it, one activity at a time, so no two writers race.
 */
const ticketEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    key: { type: String, required: true },
    customerId: { type: String, required: true },
    title: { type: String, required: true },
    /** low | medium | high | critical (domain/tickets/settings.ts). */
    severity: { type: String, required: true },
    category: { type: String, default: null },
    url: { type: String, default: null },
    /** domain/tickets/event.ts TICKET_STATES. */
    state: { type: String, required: true },
    /** Why it is skipped, failed, expired or held (while `pending`). */
    reason: { type: String, default: null },
    /** The tickets this key has had; the current one's externalXRef follows from it. */
    generation: { type: Number, default: 0 },
    /** The run that began the current generation, so a retried begin does not begin it twice. */
    beganBy: { type: String, default: null },
    /**
     * A step may have asked ConnectWise for this generation's ticket (its answer possibly lost):
     * a resolve then looks the ticket up before saying none was made.
     */
    createTried: { type: Boolean, default: false },
    /**
     * When the last create was sent whose answer was never seen (a timeout, a cut connection):
     * ConnectWise may still commit it until its own write timeout has passed, so no other create
     * is sent before then (services/tickets/open.ts). Null once an answer was seen.
     */
    createSentAt: { type: Date, default: null },
    ticketId: { type: Number, default: null },
    summary: { type: String, default: null },
    occurrences: { type: Number, default: 1 },
    firstSeen: { type: Date, required: true },
    lastSeen: { type: Date, required: true },
    notes: { type: Number, default: 0 },
    resolvedAt: { type: Date, default: null },
    /** The ticket as ConnectWise last showed it (domain/tickets/connectwise-state.ts), once read back. */
    connectWise: { type: Schema.Types.Mixed, default: null },
    updatedAt: { type: Date, required: true },
    /** lastSeen and _id, the order the list is paged in (db/page.ts). */
    pageKey: { type: String, required: true },
  },
  { collection: 'ticketEvents', minimize: false },
);
// GET …/tickets, most recently seen first: all, one state, one customer.
ticketEventSchema.index({ partnerId: 1, integrationId: 1, pageKey: -1 });
ticketEventSchema.index({ partnerId: 1, integrationId: 1, state: 1, pageKey: -1 });
ticketEventSchema.index({ partnerId: 1, integrationId: 1, customerId: 1, pageKey: -1 });
// A callback names a ticket: its event.
ticketEventSchema.index({ partnerId: 1, integrationId: 1, ticketId: 1 });

export type TicketEventDoc = InferSchemaType<typeof ticketEventSchema>;
export type TicketEventModel = Model<TicketEventDoc>;

export function ticketEventModel(conn: Connection): TicketEventModel {
  return modelOn<TicketEventDoc>(conn, 'TicketEvent', ticketEventSchema);
}
