import type { SyncRunDoc, SyncRunModel } from '../models/sync-run';

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

export class SyncRunRepository {
  constructor(private readonly model: SyncRunModel) {}

  /** Upsert on the run key: an activity retried after a lost reply records one run, not two. */
  async record(run: NewSyncRun): Promise<SyncRunRecord> {
    const { partnerId, integrationId, runKey, ...rest } = run;
    const doc = await this.model
      .findOneAndUpdate(
        { partnerId, integrationId, runKey },
        { $set: rest, $setOnInsert: { partnerId, integrationId, runKey } },
        { upsert: true, new: true, lean: true },
      )
      .exec();
    return { ...(doc as SyncRunDoc), id: String((doc as { _id: unknown })._id) };
  }

  async list(partnerId: string, integrationId: string, limit = 50): Promise<SyncRunRecord[]> {
    const docs = await this.model
      .find({ partnerId, integrationId })
      .sort({ startedAt: -1 })
      .limit(limit)
      .lean()
      .exec();
    return docs.map((d) => ({ ...d, id: String(d._id) }));
  }
}
