import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { getPath } from './conditions';
import { refreshRefsTo, resolveRefs } from './refs';
import { bodyFormatSchema } from './edge';
import type { Faults } from './faults';
import { invoiceAgreement, InvoicingError } from './invoicing';
import type { Journal } from './journal';
import { COLLECTIONS, RESOURCES, type CollectionName } from './resources';
import { deliveryFaultSchema, TECHNICIAN, type Actor } from './callbacks';
import { cwDate } from './dates';
import { revoke, revokeCustomizeItem, setLevels } from './security';
import { normaliseCodebase, type Store } from './store';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const levelsSchema = z.strictObject({
  add: z.enum(['None', 'My', 'All']).optional(),
  edit: z.enum(['None', 'My', 'All']).optional(),
  delete: z.enum(['None', 'My', 'All']).optional(),
  inquire: z.enum(['None', 'My', 'All']).optional(),
});

const technicianBody = z.strictObject({
  statusId: z.number().int().positive().optional(),
  owner: z.string().min(1).max(30).optional(),
  priorityId: z.number().int().positive().optional(),
  member: z
    .strictObject({ id: z.number().int(), identifier: z.string().min(1), name: z.string() })
    .optional(),
});

const technician = (): Actor => ({ api: false, member: TECHNICIAN });

const refOf = (ref: unknown): number | undefined =>
  typeof ref === 'object' && ref !== null ? (ref as { id?: number }).id : undefined;

/** `_info` as ConnectWise stamps an edit made by someone other than the API member. */
function stampedBy(record: Record<string, unknown>, member: { identifier: string }): void {
  const info = record._info as Record<string, string> | undefined;
  if (info) info.updatedBy = member.identifier;
}

/** 16 characters from [A-Za-z0-9], the look of CW's generated API keys. */
function newKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

function lineKey(req: Request): string {
  return `${String(req.params.module)}/${String(req.params.fn)}`;
}

export interface AdminDeps {
  store: Store;
  faults: Faults;
  journal: Journal;
}

/**
 * The test-control interface at `/__admin` (JSON, loopback callers only): faults, security lines,
 * keys, codebase, journal, reset, bulk seeding, agreement invoicing and views and edits of the state.
 */
export function adminRouter({ store, faults, journal }: AdminDeps): Router {
  const r = express.Router();
  r.use((req, res, next) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.status(403).json({ error: 'admin interface is loopback-only' });
      return;
    }
    next();
  });
  r.use(express.json());

  r.get('/faults', (_req, res) => {
    res.json(faults.list());
  });
  r.post('/faults', (req, res) => {
    res.status(201).json(faults.add(req.body));
  });
  r.delete('/faults', (req, res) => {
    const seed = req.query.seed === undefined ? undefined : Number(req.query.seed);
    faults.clear(seed);
    res.status(204).end();
  });

  r.put('/security/lines/:module/:fn', (req, res) => {
    res.json(setLevels(store, lineKey(req), levelsSchema.parse(req.body)));
  });
  r.post('/security/lines/:module/:fn/revoke', (req, res) => {
    res.json(revoke(store, lineKey(req)));
  });
  r.delete('/security/customizeItems/:id', (req, res) => {
    const id = String(req.params.id);
    res.json({ removed: revokeCustomizeItem(store, /^\d+$/.test(id) ? Number(id) : id) });
  });

  r.post('/keys/rotate', (_req, res) => {
    store.credentials = { publicKey: newKey(), privateKey: newKey() };
    res.json(store.credentials);
  });

  r.get('/codebase', (_req, res) => {
    res.json({ codebase: store.codebase, oldCodebaseBody: store.oldCodebaseBody });
  });
  r.put('/codebase', (req, res) => {
    const body = z
      .object({ codebase: z.string(), oldCodebaseBody: bodyFormatSchema.optional() })
      .parse(req.body);
    store.codebase = normaliseCodebase(body.codebase);
    if (body.oldCodebaseBody) store.oldCodebaseBody = body.oldCodebaseBody;
    res.json({ codebase: store.codebase, oldCodebaseBody: store.oldCodebaseBody });
  });

  r.get('/journal', (_req, res) => {
    res.json(journal.list());
  });
  r.get('/journal/counts', (_req, res) => {
    res.json(journal.counts());
  });
  r.delete('/journal', (_req, res) => {
    journal.clear();
    res.status(204).end();
  });

  r.post('/reset', (_req, res) => {
    store.reset();
    faults.clear();
    journal.clear();
    res.status(204).end();
  });

  r.post('/seed/companies', (req, res) => {
    const { count } = z.object({ count: z.number().int().min(1).max(100_000) }).parse(req.body);
    res.status(201).json(store.addGeneratedCompanies(count));
  });

  /**
   * Emulates the MSP running Agreement Invoicing for one agreement: `nextInvoiceDate` moves on by
   * one billing cycle (`invoicing.ts`). 404 for an unknown agreement, 400 for a cycle it cannot do.
   */
  r.post('/agreements/:id/invoice', (req, res) => {
    const id = z.coerce.number().int().positive().parse(req.params.id);
    try {
      res.json(invoiceAgreement(store, id));
    } catch (err) {
      if (!(err instanceof InvoicingError)) throw err;
      res.status(err.status).json({ error: err.message });
    }
  });

  /** The collection a path names, or undefined once answered 404 (naming the known ones). */
  const collectionOf = (param: unknown, res: Response): CollectionName | undefined => {
    const name = String(param);
    if ((COLLECTIONS as readonly string[]).includes(name)) return name as CollectionName;
    res.status(404).json({ error: `unknown collection '${name}'`, collections: COLLECTIONS });
    return undefined;
  };

  r.get('/state/:collection', (req, res) => {
    const collection = collectionOf(req.params.collection, res);
    if (!collection) return;
    const parentPath = RESOURCES[collection].parent?.path;
    const parentId = req.query.parentId === undefined ? undefined : Number(req.query.parentId);
    const rows = store.list(collection);
    res.json(
      parentPath && parentId !== undefined
        ? rows.filter((row) => getPath(row, parentPath) === parentId)
        : rows,
    );
  });

  /**
   * Inserts or replaces one stored record (the body is the whole record; the id is the path's), as
   * an MSP's edit in ConnectWise's own screens would: an agreement made one-time, say, or
   * agreements for generated companies. References are resolved as the seed's; stamped like a write.
   */
  r.put('/state/:collection/:id', (req, res) => {
    const collection = collectionOf(req.params.collection, res);
    if (!collection) return;
    const id = z.coerce.number().int().positive().parse(req.params.id);
    const body = z.record(z.string(), z.unknown()).parse(req.body);
    const record = { ...structuredClone(body), id };
    resolveRefs(store, collection, record);
    const existed = store.get(collection, id) !== undefined;
    const saved = store.save(collection, record);
    // A company renamed here is renamed in every reference to it (agreements, tickets…).
    refreshRefsTo(store, collection, saved);
    // An MSP's edit in ConnectWise's screens: a technician's, so the callbacks fire.
    if (collection === 'tickets') {
      stampedBy(saved, TECHNICIAN);
      store.callbacks.ticketChanged(saved, existed ? 'updated' : 'added', technician());
    }
    res.json(saved);
  });

  /** Deletes one stored record, as in ConnectWise's screens (a ticket's callbacks fire). */
  r.delete('/state/:collection/:id', (req, res) => {
    const collection = collectionOf(req.params.collection, res);
    if (!collection) return;
    const id = z.coerce.number().int().positive().parse(req.params.id);
    const record = store.get(collection, id);
    if (!record) {
      res.status(404).json({ error: `${collection} ${id} not found` });
      return;
    }
    store.remove(collection, id);
    if (collection === 'tickets') store.callbacks.ticketChanged(record, 'deleted', technician());
    res.status(204).end();
  });

  /**
   * A technician at work on a ticket in ConnectWise's screens: close (a closed status of its
   * board, or `statusId`), reopen (the board's default open status, or `statusId`), reassign
   * (`owner`: a member identifier) or set its priority (`priorityId`). The callbacks fire.
   */
  r.post('/technician/tickets/:id/:action', (req, res) => {
    const id = z.coerce.number().int().positive().parse(req.params.id);
    const action = z.enum(['close', 'reopen', 'reassign', 'prioritise']).parse(req.params.action);
    const body = technicianBody.parse(req.body ?? {});
    const ticket = store.get('tickets', id);
    if (!ticket) {
      res.status(404).json({ error: `ticket ${id} not found` });
      return;
    }
    const member = body.member ?? TECHNICIAN;
    const boardId = refOf(ticket.board);
    const statuses = store.list('boardStatuses').filter((st) => refOf(st.board) === boardId);
    const next = structuredClone(ticket);
    if (action === 'close' || action === 'reopen') {
      const closing = action === 'close';
      const status =
        body.statusId !== undefined
          ? statuses.find((st) => st.id === body.statusId)
          : (statuses.find(
              (st) =>
                st.closedStatus === closing &&
                st.inactive !== true &&
                (closing || st.defaultFlag === true),
            ) ?? statuses.find((st) => st.closedStatus === closing && st.inactive !== true));
      if (!status) {
        res
          .status(400)
          .json({ error: `no ${closing ? 'closed' : 'open'} status on board ${boardId}` });
        return;
      }
      next.status = { id: status.id };
      next.closedFlag = status.closedStatus === true;
      if (next.closedFlag) {
        next.closedDate = cwDate();
        next.closedBy = member.identifier;
      } else {
        delete next.closedDate;
        delete next.closedBy;
      }
    } else if (action === 'reassign') {
      if (!body.owner) {
        res.status(400).json({ error: 'owner (a member identifier) is required' });
        return;
      }
      next.owner = { identifier: body.owner, name: body.owner };
    } else {
      if (body.priorityId === undefined) {
        res.status(400).json({ error: 'priorityId is required' });
        return;
      }
      next.priority = { id: body.priorityId };
    }
    resolveRefs(store, 'tickets', next);
    const saved = store.save('tickets', next);
    stampedBy(saved, member);
    store.callbacks.ticketChanged(saved, 'updated', { api: false, member });
    res.json(saved);
  });

  /** The callbacks' deliveries so far, and the signing key's rotation and delivery faults. */
  r.get('/callbacks/deliveries', async (_req, res) => {
    await store.callbacks.settled();
    res.json(store.callbacks.deliveries());
  });
  r.post('/callbacks/faults', (req, res) => {
    const fault = deliveryFaultSchema.parse(req.body);
    store.callbacks.addFault(fault);
    res.status(201).json(fault);
  });
  r.delete('/callbacks/faults', (_req, res) => {
    store.callbacks.clearFaults();
    res.status(204).end();
  });
  r.post('/callbacks/rotate-key', (_req, res) => {
    res.json({ keyId: store.callbacks.rotateKey() });
  });

  r.use(((err: unknown, _req, res, _next) => {
    const message =
      err instanceof z.ZodError
        ? z.prettifyError(err)
        : err instanceof Error
          ? err.message
          : String(err);
    res.status(400).json({ error: message });
  }) as express.ErrorRequestHandler);
  return r;
}
