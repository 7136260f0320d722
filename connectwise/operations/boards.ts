import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond } from '../conditions';
import { idSegment } from '../ids';
import {
  boardSchema,
  boardStatusSchema,
  prioritySchema,
  sourceSchema,
  type Board,
  type BoardStatus,
  type Priority,
  type Source,
} from '../schemas/service';

export interface BoardFilter {
  includeInactive?: boolean;
  /** Project boards cannot take service tickets, so they are hidden by default. */
  includeProjectBoards?: boolean;
}

export async function listBoards(
  client: ConnectWiseClient,
  filter: BoardFilter = {},
  options?: RequestOptions,
): Promise<Board[]> {
  const conditions =
    filter.includeInactive === true && filter.includeProjectBoards === true
      ? undefined
      : cond.and(
          filter.includeInactive === true ? undefined : cond.eq('inactiveFlag', false),
          filter.includeProjectBoards === true ? undefined : cond.eq('projectFlag', false),
        );
  return await client.listAll('/service/boards', boardSchema, { conditions }, options);
}

export async function getBoard(
  client: ConnectWiseClient,
  boardId: number,
  options?: RequestOptions,
): Promise<Board> {
  return await client.get(`/service/boards/${idSegment(boardId)}`, boardSchema, {}, options);
}

/** Statuses of one board; `closedStatus` marks those a ticket can be closed with. */
export async function listBoardStatuses(
  client: ConnectWiseClient,
  boardId: number,
  filter: { includeInactive?: boolean } = {},
  options?: RequestOptions,
): Promise<BoardStatus[]> {
  const conditions = filter.includeInactive === true ? undefined : cond.eq('inactive', false);
  return await client.listAll(
    `/service/boards/${idSegment(boardId)}/statuses`,
    boardStatusSchema,
    { conditions },
    options,
  );
}

export async function listSources(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<Source[]> {
  return await client.listAll('/service/sources', sourceSchema, {}, options);
}

export async function listPriorities(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<Priority[]> {
  return await client.listAll('/service/priorities', prioritySchema, {}, options);
}
