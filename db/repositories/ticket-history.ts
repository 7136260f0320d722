import type { TicketHistoryDoc, TicketHistoryModel } from '../models/ticket-history';
import { naturalId } from '../natural-id';
import { newestFirst, pageKeyOf, type Page, type PageRequest } from '../page';

type Scope = { partnerId: string; integrationId: string };

export interface TicketHistoryEntry {
  key: string;
  generation: number;
  ticketId: number;
  at: Date;
  kind: 'closed' | 'reopened' | 'changed' | 'deleted';
  detail: string;
}

export class TicketHistoryRepository {
  constructor(private readonly model: TicketHistoryModel) {}

  /** Adds the entry once (the same change seen again writes nothing new). */
  async add(scope: Scope, entry: TicketHistoryEntry): Promise<void> {
    const _id = naturalId(
      scope.partnerId,
      scope.integrationId,
      entry.key,
      entry.at.toISOString(),
      entry.kind,
    );
    await this.model
      .updateOne(
        { _id },
        { $setOnInsert: { ...scope, ...entry, pageKey: pageKeyOf(entry.at, _id) } },
        { upsert: true },
      )
      .exec();
  }

  /** An event's ticket history, newest first, a page at a time. */
  async page(scope: Scope, key: string, request: PageRequest): Promise<Page<TicketHistoryEntry>> {
    const page = await newestFirst<TicketHistoryDoc, TicketHistoryDoc & { _id: unknown }>(
      this.model,
      { ...scope, key },
      {},
      request,
    );
    return {
      ...page,
      items: page.items.map((d) => ({
        key: d.key,
        generation: d.generation,
        ticketId: d.ticketId,
        at: d.at,
        kind: d.kind as TicketHistoryEntry['kind'],
        detail: d.detail ?? '',
      })),
    };
  }
}
