import { cwDate } from '../dates';
import { CwError, FieldErrors } from '../errors';
import type { SimRecord } from '../resources';
import { hasAccess } from '../security';
import type { Store } from '../store';
import { checkRecord } from '../writes';
import { patchRoute, readRoutes, render, requireParent, writable } from './collection';
import type { RequestCtx, RouteTable } from './types';

/** Accepted on POST, never stored on the ticket nor returned ("Only available for POST"). */
const POST_ONLY = [
  'initialDescription',
  'initialInternalAnalysis',
  'initialResolution',
  'initialDescriptionFrom',
];
/** Request-time switches, not ticket data. */
const TRANSIENT = ['processNotifications', 'skipCallback', 'contactEmailLookup'];
/** CW derives these from the status. */
const DERIVED = ['closedFlag', 'closedDate', 'closedBy'];

function refId(v: unknown): number | undefined {
  return v && typeof v === 'object' ? (v as { id?: number }).id : undefined;
}

function defaultOf(store: Store, records: SimRecord[]): { id: number } | undefined {
  const d = records.find((r) => r.defaultFlag === true && r.inactive !== true);
  return d ? { id: d.id } : undefined;
}

/**
 * Board active and not a project board, status active and on that board (the status scope is checked
 * when references are resolved), closedFlag/closedDate following the status's closedStatus.
 */
function saveTicket(ctx: RequestCtx, rec: SimRecord, previous?: SimRecord): SimRecord {
  const { store } = ctx;
  const errors = new FieldErrors('ticket');
  const boardId = refId(rec.board);
  if (rec.status === undefined && boardId !== undefined) {
    rec.status = defaultOf(
      store,
      store.list('boardStatuses').filter((s) => refId(s.board) === boardId),
    );
  }
  rec.priority ??= defaultOf(store, store.list('priorities'));
  checkRecord(store, 'tickets', rec, errors, ['board']);
  const board = store.get('boards', refId(rec.board) ?? -1);
  if (board?.inactiveFlag === true)
    errors.add('InvalidField', 'board/id', `Service Board ${board.id} is inactive.`);
  if (board?.projectFlag === true) {
    errors.add('InvalidField', 'board/id', `Service Board ${board.id} is a project board.`);
  }
  const status = store.get('boardStatuses', refId(rec.status) ?? -1);
  if (status?.inactive === true && refId(previous?.status) !== status.id) {
    errors.add('InvalidField', 'status/id', `Service Status ${status.id} is inactive.`);
  }
  errors.throwIfAny();
  const closing = status?.closedStatus === true;
  const wasClosed = previous?.closedFlag === true;
  if (
    closing &&
    !wasClosed &&
    previous &&
    !hasAccess(store, 'ServiceDesk/CloseServiceTickets', 'edit')
  ) {
    throw new CwError(
      403,
      'Security',
      'Improper security role settings. Edit level for Service Desk > Close Service Tickets must not be None.',
    );
  }
  rec.closedFlag = closing;
  if (closing && !wasClosed) {
    rec.closedDate = cwDate();
    rec.closedBy = store.member.identifier;
  } else if (!closing) {
    delete rec.closedDate;
    delete rec.closedBy;
  }
  rec.recordType ??= 'ServiceTicket';
  rec.severity ??= 'Medium';
  rec.impact ??= 'Medium';
  return store.save('tickets', rec);
}

function saveNote(store: Store, ticketId: number, body: Record<string, unknown>): SimRecord {
  const rec: SimRecord = {
    id: store.nextId('notes'),
    ticketId,
    ...body,
    dateCreated: cwDate(),
    createdBy: store.member.identifier,
    member: { ...store.member },
  };
  const errors = new FieldErrors('serviceNote');
  checkRecord(store, 'notes', rec, errors, ['text']);
  const flags = ['detailDescriptionFlag', 'internalAnalysisFlag', 'resolutionFlag'];
  if (!flags.some((f) => rec[f] === true)) {
    errors.add('InvalidField', 'detailDescriptionFlag', `One of ${flags.join(', ')} must be true.`);
  }
  errors.throwIfAny();
  for (const f of flags) rec[f] ??= false;
  rec.internalFlag = rec.internalAnalysisFlag === true;
  rec.externalFlag = rec.detailDescriptionFlag === true || rec.resolutionFlag === true;
  return store.save('notes', rec);
}

/** CW turns the POST-only initial texts into the ticket's first notes (verify the exact flags). */
function initialNotes(store: Store, ticketId: number, body: Record<string, unknown>): void {
  const texts: [string, string][] = [
    ['initialDescription', 'detailDescriptionFlag'],
    ['initialInternalAnalysis', 'internalAnalysisFlag'],
    ['initialResolution', 'resolutionFlag'],
  ];
  for (const [field, flag] of texts) {
    const text = body[field];
    if (typeof text === 'string' && text !== '') saveNote(store, ticketId, { text, [flag]: true });
  }
}

export function serviceRoutes(): RouteTable {
  return {
    ...readRoutes('/service/boards', 'boards'),
    ...readRoutes('/service/boards/{parentId}/statuses', 'boardStatuses'),
    ...readRoutes('/service/boards/{parentId}/types', 'boardTypes'),
    ...readRoutes('/service/priorities', 'priorities'),
    ...readRoutes('/service/sources', 'sources'),
    ...readRoutes('/service/tickets', 'tickets'),
    'POST /service/tickets': {
      collection: 'tickets',
      handler: (ctx) => {
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        const rec = {
          id: ctx.store.nextId('tickets'),
          ...writable(body, [...POST_ONLY, ...TRANSIENT, ...DERIVED]),
        };
        const saved = saveTicket(ctx, rec);
        initialNotes(ctx.store, saved.id, body);
        ctx.store.callbacks.ticketChanged(saved, 'added', { api: true, member: ctx.store.member });
        return { status: 201, body: render(saved) };
      },
    },
    'PATCH /service/tickets/{id}': patchRoute(
      'tickets',
      (ctx, patched, current) => {
        for (const t of TRANSIENT) delete patched[t];
        const saved = saveTicket(ctx, patched, current);
        ctx.store.callbacks.ticketChanged(saved, 'updated', {
          api: true,
          member: ctx.store.member,
        });
        return saved;
      },
      [...POST_ONLY, ...DERIVED],
    ),
    ...readRoutes('/service/tickets/{parentId}/notes', 'notes'),
    'POST /service/tickets/{parentId}/notes': {
      collection: 'notes',
      handler: (ctx) => {
        const ticket = requireParent(ctx, 'notes') as SimRecord;
        const body = writable(ctx.body, [
          'ticketId',
          'dateCreated',
          'createdBy',
          'processNotifications',
        ]);
        return { status: 201, body: render(saveNote(ctx.store, ticket.id, body)) };
      },
    },
  };
}
