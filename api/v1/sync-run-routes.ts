import { z } from 'zod';
import type { Repositories } from '../../db';
import { SYNC_KINDS, SYNC_OUTCOMES, SYNC_TRIGGERS } from '../../db/models/sync-run';
import type { IntegrationService } from '../../services/integration-service';
import { notFound } from '../errors';
import { linkTo, route } from '../route';
import { dateRangeQuery, orderedRange, rangeOf } from './date-range';
import { decimalInt } from './decimal';
import {
  billingChangeView,
  billingResultView,
  toBillingChangeView,
  toBillingResultView,
  toSyncRunView,
} from './history-views';
import {
  cursor,
  DEFAULT_PAGE_SIZE,
  DEFAULT_SET_PAGE_SIZE,
  nextCursorOf,
  nextCursorView,
  nextKeyCursorOf,
  pageSize,
  setPageOf,
  setPageQuery,
} from './paging';
import { errorBody, partnerParams } from './schemas';
import { temporalUiLink, type TemporalUi } from './temporal-ui';
import { syncRunView } from './views';

const TAGS = ['Sync history'];
const path = '/partners/:partnerId/connectwise/sync-runs';

const listQuery = z
  .object({
    kind: z.enum(SYNC_KINDS).optional(),
    trigger: z.enum(SYNC_TRIGGERS).optional(),
    outcome: z.enum(SYNC_OUTCOMES).optional(),
    ...dateRangeQuery,
    pageSize,
    /** Before paging: still read, as pageSize, so older clients keep working. */
    limit: decimalInt(1, 200).optional().describe('Deprecated: pageSize'),
    cursor,
  })
  .superRefine(orderedRange);

const detailQuery = z.object({ pageSize, cursor });

export interface SyncRunDeps {
  repos: Repositories;
  integrations: IntegrationService;
  temporalUi: TemporalUi;
}

/** The sync history: runs newest first, filtered; one run with its customers and changes. */
export function syncRunRoutes({ repos, integrations, temporalUi }: SyncRunDeps) {
  /** The partner's live integration and one of its runs; 404 when either is missing. */
  const runParams = partnerParams.extend({
    id: z
      .string()
      .max(128)
      .describe(
        "The run's id, or its run key: the `runWorkflowId` Synchronize answered (`billing-run:…`), whose row exists once the run has started, even one skipped before any billing",
      ),
  });
  const runOf = async (partnerId: string, id: string) => {
    const integration = await integrations.live(partnerId);
    const run = id.startsWith('billing-run:')
      ? await repos.syncRuns.byRunKey(partnerId, integration.id, id)
      : await repos.syncRuns.get(partnerId, integration.id, id);
    if (!run) throw notFound('sync run');
    return { integration, run };
  };
  return [
    route({
      method: 'get',
      auth: 'partner',
      path,
      summary:
        'Sync history, newest first, a page at a time (filters: kind, trigger, outcome, from/to on startedAt)',
      tags: TAGS,
      params: partnerParams,
      query: listQuery,
      responses: {
        200: {
          description: 'One page of runs',
          schema: z.object({ runs: z.array(syncRunView), nextCursor: nextCursorView }),
          links: {
            run: linkTo('get', `${path}/:id`, { id: '$response.body#/runs/0/id' }),
            results: linkTo('get', `${path}/:id/results`, { id: '$response.body#/runs/0/id' }),
          },
        },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const integration = await integrations.live(params.partnerId);
        const { kind, trigger, outcome, cursor: after } = query;
        const page = await repos.syncRuns.page(
          params.partnerId,
          integration.id,
          { kind, trigger, outcome, ...rangeOf(query) },
          { after, limit: query.pageSize ?? query.limit ?? DEFAULT_PAGE_SIZE },
        );
        return {
          body: { runs: page.items.map(toSyncRunView), nextCursor: nextCursorOf(page.next) },
        };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${path}/:id`,
      summary:
        "One run: its counts, each customer's result, its billing changes a page at a time, and its Temporal UI link",
      tags: TAGS,
      params: runParams,
      query: detailQuery,
      responses: {
        200: {
          description: 'The run',
          schema: z.object({
            run: syncRunView,
            temporalUiUrl: z
              .string()
              .nullable()
              .describe("The run's history in the Temporal UI; null when TEMPORAL_UI_URL is unset"),
            results: z
              .array(billingResultView)
              .describe(
                "The first page of each customer's result (up to 500, by agreement); the rest from …/results",
              ),
            resultsNextCursor: nextCursorView.describe(
              'Pass as `cursor` to …/sync-runs/{id}/results for the results after the first page; null when none',
            ),
            changes: z.array(billingChangeView).describe("The run's billing changes, newest first"),
            nextCursor: nextCursorView,
          }),
        },
        404: { description: 'No integration, or no such run', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const { partnerId } = params;
        const { integration, run } = await runOf(partnerId, params.id);
        const [results, changes] = await Promise.all([
          repos.billingResults.pageForRun(partnerId, integration.id, run.runKey, {
            limit: DEFAULT_SET_PAGE_SIZE,
          }),
          repos.billingChanges.page(
            partnerId,
            integration.id,
            { runKey: run.runKey },
            { after: query.cursor, limit: query.pageSize ?? DEFAULT_PAGE_SIZE },
          ),
        ]);
        return {
          body: {
            run: toSyncRunView(run),
            temporalUiUrl: temporalUiLink(temporalUi, run.workflowId, run.runId),
            results: results.items.map(toBillingResultView),
            resultsNextCursor: nextKeyCursorOf(results.next),
            changes: changes.items.map(toBillingChangeView),
            nextCursor: nextCursorOf(changes.next),
          },
        };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${path}/:id/results`,
      summary:
        "One run's customer results, a page at a time (by agreement, then skipped customers)",
      tags: TAGS,
      params: runParams,
      query: setPageQuery,
      responses: {
        200: {
          description: 'Results',
          schema: z.object({ results: z.array(billingResultView), nextCursor: nextCursorView }),
        },
        400: { description: 'Invalid page size or cursor', schema: errorBody },
        404: { description: 'No integration, or no such run', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const { partnerId } = params;
        const { integration, run } = await runOf(partnerId, params.id);
        const page = await repos.billingResults.pageForRun(
          partnerId,
          integration.id,
          run.runKey,
          setPageOf(query),
        );
        return {
          body: {
            results: page.items.map(toBillingResultView),
            nextCursor: nextKeyCursorOf(page.next),
          },
        };
      },
    }),
  ];
}
