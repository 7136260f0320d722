import pLimit from 'p-limit';
import type {
  HealthCheck,
  HealthFinding,
  HealthIssueKind,
  HealthObject,
  HealthObjectType,
} from '../../domain/health/issues';
import type { HealthIssueDoc, HealthIssueModel } from '../models/health-issue';
import { naturalId } from '../natural-id';
import { newestFirst, pageKeyOf, type Page, type PageRequest } from '../page';
import { isDuplicateKey } from '../retry-duplicate';
import { healthIssueEvent } from '../webhook-events';
import type { HealthChanges, HealthIssue } from './health-issue-record';
import type { WebhookEmitter } from './webhook-deliveries';

type Scope = { partnerId: string; integrationId: string };

const objectKey = (o: Pick<HealthObject, 'type' | 'id'>) => `${o.type}:${o.id}`;

const toIssue = (d: HealthIssueDoc & { _id: unknown }): HealthIssue => ({
  id: String(d._id),
  kind: d.kind as HealthIssueKind,
  object: {
    type: d.objectType as HealthObjectType,
    id: d.objectId,
    ...(d.objectName ? { name: d.objectName } : {}),
  },
  message: d.message,
  fix: d.fix,
  state: d.state as HealthIssue['state'],
  firstSeen: d.firstSeen,
  lastSeen: d.lastSeen,
  occurrences: d.occurrences,
  ...(d.resolvedAt ? { resolvedAt: d.resolvedAt } : {}),
  ...(d.resolvedBy ? { resolvedBy: d.resolvedBy } : {}),
});

/**
 * The health issues of each integration. Every write is one conditional single-document update
 * on the natural `_id` (integration, kind, object), so two checks racing never make two issues:
 * the one that inserts wins and the other updates what it inserted.
 */
export class HealthIssueRepository {
  constructor(
    private readonly model: HealthIssueModel,
    /** Tells the partner's webhooks of each issue opened and resolved. */
    private readonly events?: WebhookEmitter,
  ) {}

  /**
   * A check's result: each finding opens its issue (or touches the open one: last seen,
   * occurrences, the latest words); each open issue in the check's scope it did not find is
   * resolved by it.
   */
  async observe(
    { partnerId, integrationId }: Scope,
    check: HealthCheck,
    findings: readonly HealthFinding[],
    now = new Date(),
  ): Promise<HealthChanges> {
    // Only these two: a caller may pass a wider record (a run's ref) as its scope.
    const scope = { partnerId, integrationId };
    const keys = (list: readonly HealthObject[] | undefined) =>
      list && new Set(list.map((o) => objectKey(o)));
    const only = keys(check.objects);
    const except = keys(check.except);
    const inScope = (f: Pick<HealthFinding, 'kind' | 'object'>) =>
      check.kinds.includes(f.kind) &&
      (!only || only.has(objectKey(f.object))) &&
      !except?.has(objectKey(f.object));
    const found = new Map<string, HealthFinding>();
    for (const f of findings.filter(inScope)) found.set(this.idOf(scope, f), f);
    // A few at once: a first run may find hundreds (stale customers of a big partner).
    const limit = pLimit(8);
    const opened = (
      await Promise.all(
        [...found].map(([id, finding]) => limit(() => this.open(scope, id, finding, now))),
      )
    ).filter((i): i is HealthIssue => i !== undefined);
    const open = await this.model
      .find({ ...scope, state: 'open', kind: { $in: [...check.kinds] } })
      .lean()
      .exec();
    const gone = open.filter(
      (doc) =>
        !found.has(String(doc._id)) &&
        inScope({
          kind: doc.kind as HealthIssueKind,
          object: { type: doc.objectType as HealthObjectType, id: doc.objectId },
        }),
    );
    const resolved = (
      await Promise.all(
        gone.map((doc) =>
          limit(() =>
            this.model
              .findOneAndUpdate(
                { _id: String(doc._id), state: 'open' },
                { $set: { state: 'resolved', resolvedAt: now, resolvedBy: check.by } },
                { new: true },
              )
              .lean()
              .exec(),
          ),
        ),
      )
    ).flatMap((done) => (done ? [toIssue(done)] : []));
    await this.events?.emit(
      partnerId,
      [
        ...opened.map((i) => healthIssueEvent(scope, 'health_issue.opened', i)),
        ...resolved.map((i) => healthIssueEvent(scope, 'health_issue.resolved', i)),
      ],
      now,
    );
    return { opened, resolved };
  }

  /** The finding's issue: touched if open (undefined), else opened (the issue). */
  private async open(
    scope: Scope,
    _id: string,
    finding: HealthFinding,
    now: Date,
  ): Promise<HealthIssue | undefined> {
    const words = {
      message: finding.message,
      fix: finding.fix,
      objectName: finding.object.name ?? null,
      lastSeen: now,
    };
    for (let attempt = 0; ; attempt++) {
      const touched = await this.model
        .updateOne({ _id, state: 'open' }, { $set: words, $inc: { occurrences: 1 } })
        .exec();
      if (touched.matchedCount > 0) return undefined;
      const fresh = {
        ...words,
        state: 'open',
        firstSeen: now,
        occurrences: 1,
        resolvedAt: null,
        resolvedBy: null,
        pageKey: pageKeyOf(now, _id),
      };
      const reopened = await this.model
        .findOneAndUpdate({ _id, state: 'resolved' }, { $set: fresh }, { new: true })
        .lean()
        .exec();
      if (reopened) return toIssue(reopened);
      try {
        const [doc] = await this.model.insertMany(
          [
            {
              _id,
              ...scope,
              kind: finding.kind,
              objectType: finding.object.type,
              objectId: finding.object.id,
              ...fresh,
            },
          ],
          { lean: true },
        );
        return toIssue(doc as unknown as HealthIssueDoc & { _id: unknown });
      } catch (err) {
        // Another check inserted it between our update and our insert: touch theirs.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  }

  /** The integration's issues, newest first, a page at a time; by state and kind when given. */
  async page(
    scope: Scope,
    filter: { state?: HealthIssue['state']; kind?: HealthIssueKind },
    request: PageRequest,
  ): Promise<Page<HealthIssue>> {
    const page = await newestFirst<HealthIssueDoc, HealthIssueDoc & { _id: unknown }>(
      this.model,
      {
        ...scope,
        ...(filter.state ? { state: filter.state } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
      },
      {},
      request,
    );
    return { ...page, items: page.items.map(toIssue) };
  }

  /** The kinds of the integration's open issues, one entry per issue (for the status summary). */
  async openKinds(scope: Scope): Promise<HealthIssueKind[]> {
    const docs = await this.model
      .find({ ...scope, state: 'open' }, { kind: 1 })
      .lean()
      .exec();
    return docs.map((d) => d.kind as HealthIssueKind);
  }

  /** Open issues of every integration, counted by kind (the operators' gauge). */
  async openCountsByKind(): Promise<Record<string, number>> {
    const docs = await this.model.find({ state: 'open' }, { kind: 1 }).lean().exec();
    const counts: Record<string, number> = {};
    for (const d of docs) counts[d.kind] = (counts[d.kind] ?? 0) + 1;
    return counts;
  }

  private idOf(scope: Scope, f: Pick<HealthFinding, 'kind' | 'object'>): string {
    return naturalId(scope.partnerId, scope.integrationId, f.kind, objectKey(f.object));
  }
}
