import type { SYNC_KINDS, SYNC_OUTCOMES, SYNC_TRIGGERS } from '../models/sync-run';
import type { SyncRunDoc, SyncRunModel } from '../models/sync-run';
import { newestFirst, pageKeyOf, PAGE_KEY, type Page, type PageRequest } from '../page';
import { syncRunCompletedEvent } from '../webhook-events';
import type { WebhookEmitter } from './webhook-deliveries';

export type SyncRunRecord = SyncRunDoc & { id: string };

export type NewSyncRun = Pick<
  SyncRunDoc,
  | 'partnerId'
  | 'integrationId'
  | 'kind'
  | 'trigger'
  | 'workflowId'
  | 'runId'
  | 'runKey'
  | 'startedAt'
  | 'outcome'
> &
  Partial<Pick<SyncRunDoc, 'endedAt' | 'summary' | 'changes' | 'counts'>>;

/** Which runs a page lists; `from` ≤ startedAt < `to`. */
export interface SyncRunFilter {
  kind?: (typeof SYNC_KINDS)[number];
  trigger?: (typeof SYNC_TRIGGERS)[number];
  outcome?: (typeof SYNC_OUTCOMES)[number];
  from?: Date;
  to?: Date;
}

/** A sync run's id as the API shows it: the document's ObjectId in hex. */
const OBJECT_ID = /^[0-9a-f]{24}$/;

const toRecord = (d: SyncRunDoc & { _id: unknown }): SyncRunRecord => ({ ...d, id: String(d._id) });

export class SyncRunRepository {
  constructor(
    private readonly model: SyncRunModel,
    /** Tells the partner's webhooks of each run recorded with its final outcome. */
    private readonly events?: WebhookEmitter,
  ) {}

  /**
   * Upsert on the run key: an activity retried after a lost reply records one run, not two. A run
   * recorded with its end is `sync_run.completed`, once per run (keyed by its run key).
   */
  async record(run: NewSyncRun): Promise<SyncRunRecord> {
    const { partnerId, integrationId, runKey, ...rest } = run;
    // Paged newest first; the run key (unique in the integration) breaks ties.
    const pageKey = pageKeyOf(run.startedAt, runKey);
    const doc = await this.model
      .findOneAndUpdate(
        { partnerId, integrationId, runKey },
        { $set: { ...rest, pageKey }, $setOnInsert: { partnerId, integrationId, runKey } },
        { upsert: true, new: true, lean: true },
      )
      .exec();
    const saved = { ...(doc as SyncRunDoc), id: String((doc as { _id: unknown })._id) };
    if (saved.outcome !== 'running' && saved.endedAt)
      await this.events?.emit(partnerId, syncRunCompletedEvent(saved));
    return saved;
  }

  async list(partnerId: string, integrationId: string, limit = 50): Promise<SyncRunRecord[]> {
    const docs = await this.model
      .find({ partnerId, integrationId })
      .sort({ [PAGE_KEY]: -1 })
      .limit(limit)
      .lean()
      .exec();
    return docs.map(toRecord);
  }

  /** The integration's runs matching `filter`, newest first, a page at a time. */
  async page(
    partnerId: string,
    integrationId: string,
    filter: SyncRunFilter,
    request: PageRequest,
  ): Promise<Page<SyncRunRecord>> {
    const { from, to, ...fields } = filter;
    const defined = Object.entries(fields).filter(([, v]) => v !== undefined);
    const page = await newestFirst<SyncRunDoc, SyncRunDoc & { _id: unknown }>(
      this.model,
      { partnerId, integrationId, ...Object.fromEntries(defined) },
      { from, to },
      request,
    );
    return { ...page, items: page.items.map(toRecord) };
  }

  /** The integration's newest run of `kind` that ended with one of `counted`; one read each. */
  async latest(
    partnerId: string,
    integrationId: string,
    { kind, counted }: { kind: (typeof SYNC_KINDS)[number]; counted: ReadonlySet<string> },
  ): Promise<SyncRunRecord | undefined> {
    const newest = await Promise.all(
      [...counted].map((outcome) =>
        this.model
          .findOne({ partnerId, integrationId, kind, outcome })
          .sort({ [PAGE_KEY]: -1 })
          .lean()
          .exec(),
      ),
    );
    const [first] = newest
      .filter((d): d is NonNullable<typeof d> => d !== null)
      .sort((x, y) => (x.pageKey < y.pageKey ? 1 : x.pageKey > y.pageKey ? -1 : 0));
    return first ? toRecord(first) : undefined;
  }

  /** One of the integration's runs by id; undefined for an id that is not one of them. */
  async get(
    partnerId: string,
    integrationId: string,
    id: string,
  ): Promise<SyncRunRecord | undefined> {
    if (!OBJECT_ID.test(id)) return undefined;
    const doc = await this.model.findOne({ _id: id, partnerId, integrationId }).lean().exec();
    return doc ? toRecord(doc) : undefined;
  }

  /**
   * One of the integration's runs by its run key (the `runWorkflowId` Synchronize answered:
   * every run the lifecycle starts has its row under it, a billing run or a skip).
   */
  async byRunKey(
    partnerId: string,
    integrationId: string,
    runKey: string,
  ): Promise<SyncRunRecord | undefined> {
    const doc = await this.model.findOne({ partnerId, integrationId, runKey }).lean().exec();
    return doc ? toRecord(doc) : undefined;
  }
}
