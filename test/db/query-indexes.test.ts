/**
 * Every query the repositories send is served by an index the models declare.
 *
 * Every method of every repository is called (a Proxy records which: a method added later and not
 * called here fails the test), and every query they send is recorded through Mongoose's debug hook.
 * A query with a filter is served when it filters `_id` by equality or `$in` (or by a range bounded
 * at both ends, sorted by `_id` if at all), or when a declared
 * index's leading keys are all filtered by equality or `$in` (at least one; a range on the next
 * key is fine) and, for a sort with a limit, the sort keys follow that prefix in the index in the
 * same or the exactly reversed direction. Queries that scan by design are in SCANS_BY_DESIGN with
 * why. On FerretDB's PostgreSQL backend, each distinct find is also explained on a collection
 * padded with other partners' rows: no plan may read the whole table (a Seq Scan).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import mongoose, {
  Types,
  type Model,
  type MongooseOptions,
  type Schema,
  type SchemaType,
} from 'mongoose';
import type {
  AgreementSnapshot,
  BillingChange,
  NewApproval,
  Repositories,
  RunSnapshot,
} from '../../db';
import { pageKeyOf } from '../../db/page';
import type { TenantChangeRecord } from '../../db/repositories/integrations';
import type { NewSyncRun } from '../../db/repositories/sync-runs';
import type { AgreementOutcome } from '../../domain/billing/run';
import { DEFAULT_BILLING_POLICY } from '../../domain/billing/settings';
import type { LedgerEntry } from '../../domain/billing/types';
import type { SecurityEvent } from '../../domain/tickets/event';
import { sealPrivateKey } from '../../services/integration-client';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';
import { seal } from '../../security';

/**
 * Queries that read a whole collection on purpose, by the repository method that sends them (a
 * query matches when it was sent from that method, directly or through a helper it calls). An
 * entry no query matches fails the test, so the list stays as short as the code.
 */
const SCANS_BY_DESIGN: Record<string, string> = {
  'integrations.withSecrets':
    'key rotation (services/key-rotation.ts): every integration that holds a secret, one per partner, once per rotation',
  'tokens.list':
    'the admin CLI lists every API token (a few per partner); the {createdAt: 1} index only gives their order',
  'billingSeats.totalsByPartner':
    "the metrics read every integration's unbilled totals (one small document per integration) when scraped, at most every 15 s",
  'webhooks.withSecrets':
    'key rotation (services/key-rotation.ts): every webhook subscription (at most 10 per partner), once per rotation',
  'ticketIntake.claimExpired':
    'the intake outbox holds only reports not yet handed to Temporal (bounded by INTAKE_MAX_BACKLOG per API process, usually empty); MongoDB reads it by {claimedUntil: 1}, FerretDB pushes no range down',
};

/** Rows of other partners added to each collection before its finds are explained. */
const FILLER_ROWS = 3000;
const FILLER_PARTNERS = 100;

// ---------------------------------------------------------------------------------------------
// Recording: which repository method sent which query.

type Direction = 1 | -1;
type Keys = Array<[string, Direction]>;

interface Query {
  /** The repository methods it was sent from, outermost first (empty: from none). */
  via: readonly string[];
  collection: string;
  /** The collection method; a bulkWrite's operations as `bulkWrite.<op>`. */
  method: string;
  filter: Record<string, unknown>;
  sort: Keys;
  /** The find's limit, 1 for a single-document operation, undefined for none. */
  limit: number | undefined;
}

const context = new AsyncLocalStorage<readonly string[]>();
const queries: Query[] = [];
/** Collection methods sent that this test has no rule for (e.g. an aggregate). */
const unknownMethods: string[] = [];
let recording = false;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function directionOf(v: unknown): Direction | undefined {
  if (v === 1 || v === 'asc' || v === 'ascending') return 1;
  if (v === -1 || v === 'desc' || v === 'descending') return -1;
  return undefined;
}

function sortOf(sort: unknown): Keys {
  if (sort === undefined || sort === null) return [];
  const entries =
    sort instanceof Map
      ? [...(sort as Map<string, unknown>)]
      : isRecord(sort)
        ? Object.entries(sort)
        : undefined;
  if (!entries) throw new Error(`a sort this test cannot read: ${JSON.stringify(sort)}`);
  return entries.map(([field, d]) => {
    const direction = directionOf(d);
    if (direction === undefined)
      throw new Error(`a sort direction this test cannot read: ${field}`);
    return [field, direction];
  });
}

/** Where the options are among a collection method's arguments, for methods with a filter first. */
const OPTIONS_AT: Record<string, number> = {
  find: 1,
  findOne: 1,
  countDocuments: 1,
  deleteOne: 1,
  deleteMany: 1,
  findOneAndDelete: 1,
  findOneAndUpdate: 2,
  findOneAndReplace: 2,
  updateOne: 2,
  updateMany: 2,
  replaceOne: 2,
};
const SINGLE_DOCUMENT = new Set([
  'findOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'updateOne',
  'replaceOne',
  'deleteOne',
]);
/** Collection methods that read no documents by a filter. */
const NO_FILTER = new Set([
  'insertOne',
  'insertMany',
  'createIndex',
  'createIndexes',
  'listIndexes',
  'indexes',
  'indexInformation',
  'indexExists',
  'dropIndex',
  'dropIndexes',
  'drop',
  'estimatedDocumentCount',
]);
const BULK_FILTERED = new Set(['updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany']);

/** Mongoose's debug hook: called with each collection method and its arguments. */
function onCollectionCall(collection: string, method: string, ...args: unknown[]): void {
  if (!recording) return;
  const via = context.getStore() ?? [];
  const add = (name: string, filter: unknown, options: unknown, single: boolean) => {
    const o = isRecord(options) ? options : {};
    const limit = single ? 1 : typeof o.limit === 'number' && o.limit > 0 ? o.limit : undefined;
    queries.push({
      via,
      collection,
      method: name,
      filter: isRecord(filter) ? filter : {},
      sort: sortOf(o.sort),
      limit,
    });
  };
  const optionsAt = OPTIONS_AT[method];
  if (optionsAt !== undefined) {
    add(method, args[0], args[optionsAt], SINGLE_DOCUMENT.has(method));
  } else if (method === 'distinct') {
    add(method, args[1], args[2], false);
  } else if (method === 'bulkWrite') {
    for (const op of Array.isArray(args[0]) ? (args[0] as unknown[]) : []) {
      const entry = isRecord(op) ? Object.entries(op)[0] : undefined;
      if (entry?.[0] === 'insertOne') continue;
      if (entry && BULK_FILTERED.has(entry[0]) && isRecord(entry[1])) {
        add(`bulkWrite.${entry[0]}`, entry[1].filter, undefined, SINGLE_DOCUMENT.has(entry[0]));
      } else {
        unknownMethods.push(`${collection}.bulkWrite ${entry?.[0] ?? '?'} (${via.join(' > ')})`);
      }
    }
  } else if (!NO_FILTER.has(method)) {
    unknownMethods.push(`${collection}.${method} (${via.join(' > ')})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Completeness: every member of every repository is called.

const called = new Set<string>();

/** The prototype's own member named `prop` (methods and accessors, private helpers included). */
function memberOf(target: object, prop: string): PropertyDescriptor | undefined {
  for (
    let proto: unknown = Object.getPrototypeOf(target);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, prop);
    if (descriptor) return descriptor;
  }
  return undefined;
}

function membersOf(target: object): string[] {
  const names = new Set<string>();
  for (
    let proto: unknown = Object.getPrototypeOf(target);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor') names.add(name);
  }
  return [...names];
}

/** An async generator whose steps run in the calling method's context (its queries are its). */
function stepsIn(via: readonly string[], gen: AsyncGenerator<unknown>): AsyncGenerator<unknown> {
  const wrapped = {
    next: (...a: [] | [unknown]) => context.run(via, () => gen.next(...a)),
    return: (v: unknown) => context.run(via, () => gen.return(v)),
    throw: (e: unknown) => context.run(via, () => gen.throw(e)),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped as unknown as AsyncGenerator<unknown>;
}

const isAsyncGenerator = (v: unknown): v is AsyncGenerator<unknown> =>
  isRecord(v) && Symbol.asyncIterator in v && typeof v.next === 'function';

/**
 * The repository, recording each member used. Its methods run with the proxy as `this`, so the
 * private helpers a public method reaches count as called too, and their queries are attributed.
 */
function instrument<T extends object>(name: string, repo: T): T {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string') return value;
      const member = memberOf(target, prop);
      if (!member) return value;
      const label = `${name}.${prop}`;
      if (member.get) called.add(label);
      if (typeof value !== 'function') return value;
      return function (this: unknown, ...args: unknown[]): unknown {
        called.add(label);
        const via = [...(context.getStore() ?? []), label];
        return context.run(via, () => {
          const result: unknown = Reflect.apply(value, this, args);
          return isAsyncGenerator(result) ? stepsIn(via, result) : result;
        });
      };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The rule: which declared index serves a query.

/** Field → the operators it is filtered by (`$eq` for a plain value). */
type Conditions = Map<string, Set<string>>;

const isOperatorDocument = (v: unknown): v is Record<string, unknown> =>
  isRecord(v) &&
  !(v instanceof Date) &&
  Object.keys(v).length > 0 &&
  Object.keys(v).every((k) => k.startsWith('$'));

function conditionsOf(filter: Record<string, unknown>, into: Conditions = new Map()): Conditions {
  for (const [field, value] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(value)) {
      for (const part of value) if (isRecord(part)) conditionsOf(part, into);
      continue;
    }
    const ops = field.startsWith('$')
      ? [field]
      : isOperatorDocument(value)
        ? Object.keys(value)
        : ['$eq'];
    const set = into.get(field) ?? new Set<string>();
    for (const op of ops) set.add(op);
    into.set(field, set);
  }
  return into;
}

const RANGE = new Set(['$gt', '$gte', '$lt', '$lte']);

const shapeOf = (filter: Record<string, unknown>): string =>
  [...conditionsOf(filter)]
    .map(([field, ops]) => (field.startsWith('$') ? field : `${field}:${[...ops].join(',')}`))
    .join(' ')
    .replaceAll('$eq', 'eq') || '{}';

const sortText = (sort: Keys): string =>
  sort.length ? sort.map(([f, d]) => `${f}:${d}`).join(' ') : '';

interface DeclaredIndex {
  name: string;
  keys: Keys;
}

function declaredIndexes(model: Model<unknown>): DeclaredIndex[] {
  return model.schema.indexes().flatMap(([fields, options]): DeclaredIndex[] => {
    const keys: Keys = [];
    for (const [field, d] of Object.entries(fields)) {
      const direction = directionOf(d);
      if (direction === undefined) return []; // text, 2dsphere, …: serves no equality or sort here
      keys.push([field, direction]);
    }
    const name =
      typeof options?.name === 'string'
        ? options.name
        : keys.map(([f, d]) => `${f}_${d}`).join('_');
    return [{ name, keys }];
  });
}

interface Served {
  index: string;
  /** Filter fields the index bounds (its equality prefix and a range on the next key). */
  bounded: Set<string>;
}

function servingIndex(q: Query, indexes: DeclaredIndex[]): Served | undefined {
  const conds = conditionsOf(q.filter);
  const point = (field: string) => {
    const ops = conds.get(field);
    return ops !== undefined && (ops.has('$eq') || ops.has('$in'));
  };
  if (point('_id')) return { index: '_id_', bounded: new Set(['_id']) };
  // A range of `_id` bounded at both ends (a key prefix: one run's results), in `_id` order.
  const idOps = conds.get('_id');
  if (
    idOps &&
    (idOps.has('$gt') || idOps.has('$gte')) &&
    (idOps.has('$lt') || idOps.has('$lte')) &&
    q.sort.every(([field]) => field === '_id')
  )
    return { index: '_id_', bounded: new Set(['_id']) };
  // A sort key filtered by equality is one value: it orders nothing.
  const sort = q.sort.filter(([field]) => !conds.get(field)?.has('$eq'));
  let best: (Served & { score: number }) | undefined;
  for (const index of indexes) {
    let prefix = 0;
    while (prefix < index.keys.length && point(index.keys[prefix]![0])) prefix++;
    if (prefix === 0) continue;
    const next = index.keys.slice(prefix, prefix + sort.length);
    const follows = (sign: 1 | -1) =>
      next.length === sort.length &&
      sort.every(([field, d], k) => next[k]![0] === field && next[k]![1] === d * sign);
    const ordered = sort.length > 0 && (follows(1) || follows(-1));
    if (q.limit !== undefined && sort.length > 0 && !ordered) continue;
    const bounded = new Set(index.keys.slice(0, prefix).map(([field]) => field));
    const after = index.keys[prefix]?.[0];
    const afterOps = after === undefined ? undefined : conds.get(after);
    if (after !== undefined && afterOps && [...afterOps].every((op) => RANGE.has(op)))
      bounded.add(after);
    // The index bounding the most of the filter (equality prefix, then a range), then the sort.
    const score = bounded.size * 2 + (ordered ? 1 : 0);
    if (!best || score > best.score) best = { index: index.name, bounded, score };
  }
  return best && { index: best.index, bounded: best.bounded };
}

const allowedScan = (q: Query): string | undefined => q.via.find((m) => m in SCANS_BY_DESIGN);

// ---------------------------------------------------------------------------------------------
// PostgreSQL plans (FerretDB's explain answers PostgreSQL's JSON plan under queryPlanner.Plan).

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

const planText = (plan: PlanNode): string =>
  [...nodesOf(plan)]
    .map((n) => [n['Node Type'] ?? '?', n['Index Name']].filter(Boolean).join(' '))
    .join(' > ');

const FILLER_START = Date.UTC(2026, 0, 1);
const fillerDate = (i: number) => new Date(FILLER_START + i * 3_600_000);

interface Owner {
  partnerId: string;
  integrationId: string;
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = doc;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at = isRecord(next) ? next : (at[part] = {});
  }
  at[parts.at(-1)!] = value;
}

/** A plausible document of `schema`, the `i`th filler row, owned by another partner. */
function fillerDoc(schema: Schema, i: number, owner: Owner): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  schema.eachPath((path: string, type: SchemaType) => {
    setPath(doc, path, fillerValue(path, type, i, owner));
  });
  return doc;
}

function fillerValue(path: string, type: SchemaType, i: number, owner: Owner): unknown {
  const name = path.split('.').at(-1)!;
  if (path === '_id') return type.instance === 'ObjectId' ? new Types.ObjectId() : `filler/${i}`;
  if (path === '__v') return 0;
  if (name === 'partnerId' || name === 'slot') return owner.partnerId;
  if (name === 'integrationId') return owner.integrationId;
  if (name === 'tenantKey') return `${owner.integrationId}/tenant`;
  if (name === 'pageKey') return pageKeyOf(fillerDate(i), `filler/${i}`);
  const enumValues = (type as unknown as { enumValues?: unknown[] }).enumValues;
  switch (type.instance) {
    case 'String':
      return enumValues?.length ? enumValues[i % enumValues.length] : `${name}-${i}`;
    case 'Number':
      return i;
    case 'Date':
      return fillerDate(i);
    case 'Boolean':
      return i % 2 === 0;
    case 'ObjectId':
      return new Types.ObjectId();
    case 'Array':
      return [];
    case 'Embedded':
      return fillerDoc((type as unknown as { schema: Schema }).schema, i, owner);
    default:
      return {};
  }
}

const isFiller = (doc: Record<string, unknown>): boolean =>
  (typeof doc._id === 'string' && doc._id.startsWith('filler/')) ||
  (typeof doc.partnerId === 'string' && doc.partnerId.startsWith('filler-'));

// ---------------------------------------------------------------------------------------------
// The calls: every repository method, with the data each needs, as the engine makes them.

const P = 'partner-query-indexes';
const NOW = new Date('2026-06-15T10:00:00Z');
const LATER = new Date('2026-06-22T10:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

async function callEveryMethod(r: Repositories, db: TestDatabase): Promise<void> {
  // API tokens.
  const token = await r.tokens.create({ kind: 'partner', partnerId: P, name: 'portal' });
  await r.tokens.create({ kind: 'service', name: 'portal backend' });
  expect(await r.tokens.authenticate(token.token)).toMatchObject({ partnerId: P });
  expect((await r.tokens.list()).length).toBeGreaterThanOrEqual(2);
  expect(await r.tokens.revoke(token.id)).toBe(true);

  // Webhook subscriptions, made first: every change below is emitted to them.
  const keyring = testKeyring();
  const hook = await r.webhooks.create(
    {
      partnerId: P,
      url: 'https://93.184.216.34/hooks',
      events: [
        'health_issue.opened',
        'health_issue.resolved',
        'sync_run.completed',
        'billing.approval_pending',
        'billing.approval_decided',
        'ticket.created',
        'ticket.closed_in_connectwise',
      ],
      sealSecret: () => seal(keyring, 'whsec_x', 'webhook'),
    },
    10,
  );
  const other = await r.webhooks.create(
    {
      partnerId: P,
      url: 'https://93.184.216.34/other',
      events: ['ticket.closed'],
      sealSecret: () => seal(keyring, 'whsec_y', 'webhook'),
    },
    10,
  );
  await r.webhooks.list(P);
  await r.webhooks.get(P, hook.id);
  await r.webhooks.withSecret(P, hook.id);
  await r.webhooks.wanting(P, 'ticket.created');
  await r.webhooks.partnersOf([hook.id, other.id]);
  for await (const found of r.webhooks.withSecrets()) {
    if (found.id === other.id)
      await r.webhooks.reseal(P, found.id, seal(keyring, 'whsec_y', 'webhook'), found.secret.ct);
  }

  // The integration, its tenant guard, and a change of tenant.
  const integration = await r.integrations.create({
    partnerId: P,
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    sealPrivateKey: (id) => sealPrivateKey(keyring, id, 'private-key'),
  });
  const I = integration.id;
  expect((await r.integrations.findForPartner(P))?.id).toBe(I);
  await r.integrations.get(P, I);
  await r.integrations.ensureTenantGuard(integration);
  await r.integrations.tenantGuard(I);
  await r.integrations.update(P, I, { stateReason: 'validated' }, ['ticketSettingsProblem'], {
    state: 'active',
    privateKeyCt: integration.privateKey!.ct,
  });
  const reset: TenantChangeRecord = {
    at: NOW.toISOString(),
    action: 'reset',
    from: { apiOrigin: 'https://na.myconnectwise.net', companyId: 'acme' },
    to: { apiOrigin: 'https://eu.myconnectwise.net', companyId: 'acme2' },
    cleared: { companyMappings: 0, productMappings: 0, settings: [] },
  };
  await r.integrations.update(P, I, { site: 'eu', companyId: 'acme2' }, [], {}, reset);
  // A stale change writes nothing: the record is read again by `_id` to restore the guard.
  expect(
    await r.integrations.update(P, I, { site: 'na' }, [], { state: 'paused' }, reset),
  ).toBeUndefined();
  const withSecrets: string[] = [];
  for await (const found of r.integrations.withSecrets()) withSecrets.push(found.id);
  expect(withSecrets).toContain(I);

  // The vendor side.
  const day = (d: number) => new Date(Date.UTC(2026, 5, d));
  await r.vendor.upsertCustomers(P, [
    { customerId: 'c1', name: 'Acme' },
    { customerId: 'c2', name: 'Globex' },
    { customerId: 'c3', name: 'Initech' },
  ]);
  await r.vendor.upsertProducts(P, [
    { sku: 'seat', name: 'DefensX Seat', description: '', price: 4, cost: 2 },
    { sku: 'dlp', name: 'DefensX DLP', description: 'Data loss prevention', price: 2, cost: 1 },
  ]);
  await r.vendor.replaceUsage(P, 'c1', {
    asOf: day(14),
    lines: [{ sku: 'seat', quantity: 10, asOf: day(14) }],
  });
  await r.vendor.replaceUsage(P, 'c1', {
    asOf: day(15),
    lines: [
      { sku: 'seat', quantity: 12, asOf: day(15) },
      { sku: 'dlp', quantity: 3, asOf: day(15) },
    ],
  });
  expect(await r.vendor.replaceUsage(P, 'c1', { asOf: day(13), lines: [] })).toMatchObject({
    applied: false,
  });
  await r.vendor.replaceUsage(P, 'c2', {
    asOf: day(15),
    lines: [{ sku: 'seat', quantity: 4, asOf: day(15) }],
  });
  await r.vendor.getUsage(P, 'c1');
  await r.vendor.currentUsage(P, ['c1', 'c2', 'c3']);
  expect((await r.vendor.partnerUsage(P)).size).toBeGreaterThan(0);
  await r.vendor.listCustomers(P);
  await r.vendor.listProducts(P);
  const customerPage = await r.vendor.pageCustomers(P, { limit: 1 });
  await r.vendor.pageCustomers(P, { after: customerPage.next ?? '', limit: 1 });
  const productPage = await r.vendor.pageProducts(P, { limit: 1 });
  await r.vendor.pageProducts(P, { after: productPage.next ?? '', limit: 1 });
  await r.vendor.getCustomer(P, 'c1');
  await r.vendor.existingCustomerIds(P, ['c1', 'c9']);
  await r.vendor.existingSkus(P, ['seat', 'web']);

  // Company mappings, a row from before natural ids among them.
  await r.companyMappings.save(P, I, [
    { customerId: 'c1', companyId: 250, companyName: 'Acme Inc' },
    { customerId: 'c2', companyId: null },
  ]);
  await db.conn.collection('companymappings').insertOne({
    _id: new Types.ObjectId(),
    partnerId: P,
    integrationId: I,
    customerId: 'c3',
    companyId: 250,
  });
  await r.companyMappings.get(P, I, 'c1');
  expect(await r.companyMappings.get(P, I, 'c3')).toMatchObject({ companyId: 250 });
  await r.companyMappings.save(P, I, [
    { customerId: 'c3', companyId: 251, companyName: 'Initech' },
  ]);
  await r.companyMappings.list(P, I);
  await r.companyMappings.forCustomerRange(P, I, { through: 'c2' });
  await r.companyMappings.forCustomerRange(P, I, { after: 'c1', through: 'c3' });
  await r.companyMappings.customersOf(P, I, 250);

  // Product mappings: a partner row, and an engine row the engine changes.
  await r.productMappings.save(P, I, [
    { sku: 'seat', catalogItemId: 1350, source: 'engine' },
    { sku: 'dlp', catalogItemId: 1351, source: 'partner' },
  ]);
  await r.productMappings.save(P, I, [{ sku: 'seat', catalogItemId: 1352, source: 'engine' }]);
  await r.productMappings.list(P, I);
  await r.productMappings.forSkuRange(P, I, { through: 'seat' });
  await r.productMappings.forSkuRange(P, I, { after: 'dlp', through: 'seat' });
  await r.productMappings.remove(P, I, ['dlp']);

  // The ledger.
  const ledgerScope = { partnerId: P, integrationId: I, tenantKey: 't1' };
  const entry: LedgerEntry = {
    agreementId: 300,
    additionId: 5001,
    sku: 'seat',
    productId: 1350,
    customerId: 'c1',
    state: 'active',
  };
  await r.billingLedger.save(ledgerScope, entry);
  await r.billingLedger.save(ledgerScope, { ...entry, additionId: 5002, sku: 'dlp' });
  await r.billingLedger.markPending(ledgerScope, 301, 'seat', NOW);
  await r.billingLedger.list(ledgerScope);
  await r.billingLedger.forAgreement(ledgerScope, 300);
  await r.billingLedger.clearPending(ledgerScope, 301, 'seat');
  await r.billingLedger.remove(ledgerScope, 300, 5002);

  // Approvals.
  const scope = { partnerId: P, integrationId: I };
  const tenant = { ...scope, tenantKey: 't1' };
  const RUN = `billing-run:${I}:1`;
  const approval = (agreementId: number, customerId: string): NewApproval => ({
    approvalId: `ap-${agreementId}`,
    ...tenant,
    agreementId,
    customerId,
    companyId: 250,
    runKey: RUN,
    planHash: `h-${agreementId}`,
    reasons: ['seats would drop from 10 to 0'],
    operations: [
      {
        action: 'update',
        sku: 'seat',
        additionId: 5001,
        from: { quantity: 10 },
        to: { quantity: 0 },
      },
    ],
    seats: { before: 10, after: 0 },
    createdAt: NOW,
    expiresAt: LATER,
  });
  await r.billingApprovals.putPending(approval(300, 'c1'));
  await r.billingApprovals.putPending(approval(301, 'c2'));
  await r.billingApprovals.putPending(approval(302, 'c1'));
  await r.billingApprovals.get(scope, 300);
  const firstPending = await r.billingApprovals.listPending(tenant, { limit: 1, now: NOW });
  expect(firstPending.next).toBe(300);
  await r.billingApprovals.listPending(tenant, { limit: 1, now: NOW, afterAgreementId: 300 });
  await r.billingApprovals.listPending(tenant, { customerId: 'c1', limit: 10, now: NOW });
  await r.billingApprovals.decide(
    scope,
    300,
    { approvalId: 'ap-300', planHash: 'h-300', now: NOW },
    { status: 'approved', by: 'alice', decisions: [{ additionId: 77, decision: 'adopt' }] },
  );
  await r.billingApprovals.markApplying(scope, 300, 'ap-300', { runKey: RUN, operations: [] });
  await r.billingApprovals.markApplied(scope, 300, 'ap-300');
  await r.billingApprovals.listLive(tenant);
  await r.billingApprovals.expireAll(scope);

  // The audit trail, paged by every filter the API has.
  const change = (k: number): BillingChange => ({
    partnerId: P,
    integrationId: I,
    runKey: k < 3 ? RUN : `billing-run:${I}:2`,
    trigger: 'manual',
    customerId: k % 2 ? 'c2' : 'c1',
    agreementId: 300 + k,
    sku: k % 2 ? 'dlp' : 'seat',
    additionId: 5000 + k,
    action: 'create',
    from: null,
    to: { quantity: 10 },
    outcome: 'applied',
    message: null,
    date: '2026-06-15',
    at: minutes(k),
  });
  for (let k = 0; k < 5; k++) await r.billingChanges.record(change(k), { slot: 'create' });
  await r.billingChanges.record(
    { ...change(0), action: 'adopt' },
    { slot: 'create', keepExisting: true },
  );
  await r.billingChanges.get({ ...change(0), slot: 'create' });
  await r.billingChanges.listForRun(P, I, RUN);
  const changes = await r.billingChanges.page(P, I, {}, { limit: 2 });
  expect(changes.next).not.toBeNull();
  await r.billingChanges.page(P, I, {}, { limit: 2, after: changes.next! });
  await r.billingChanges.page(P, I, { runKey: RUN }, { limit: 10 });
  await r.billingChanges.page(P, I, { customerId: 'c2' }, { limit: 10 });
  await r.billingChanges.page(P, I, { sku: 'dlp' }, { limit: 10 });
  await r.billingChanges.page(P, I, { from: NOW, to: LATER }, { limit: 10 });
  await r.billingChanges.prune(P, I, NOW);
  await r.billingChanges.ensureRetention();

  // Per-customer results; a retried batch replaces its results (the bulk path).
  const ref = { partnerId: P, integrationId: I, runKey: RUN };
  const outcomes: AgreementOutcome[] = [
    {
      customerId: 'c1',
      agreementId: 300,
      outcome: 'succeeded',
      counts: { create: 1 },
      billed: [{ customerId: 'c1', sku: 'bs', seats: 3 }],
    },
    { customerId: 'c2', agreementId: 301, outcome: 'failed', reason: '500', counts: { failed: 1 } },
  ];
  await r.billingResults.record(ref, outcomes, NOW);
  await r.billingResults.record(ref, outcomes, NOW);
  await r.billingResults.recordSkipped(
    ref,
    [{ customerId: 'c3', agreementId: null, reason: 'not mapped' }],
    NOW,
  );
  await r.billingResults.listForRun(P, I, RUN);
  const resultPage = await r.billingResults.pageForRun(P, I, RUN, { limit: 1 });
  await r.billingResults.pageForRun(P, I, RUN, { after: resultPage.next ?? '', limit: 1 });
  // What coverage knows of each agreement, and each partner's unbilled totals.
  const seatsScope = { partnerId: P, integrationId: I, tenantKey: 'tenant-1' };
  await r.billingSeats.record(seatsScope, RUN, outcomes, NOW);
  await r.billingSeats.recordSkipped(
    seatsScope,
    RUN,
    [{ customerId: 'c4', agreementId: 309, reason: 'cancelled', problem: 'agreement_ineligible' }],
    NOW,
  );
  expect(await r.billingSeats.list(seatsScope)).toHaveLength(3);
  await r.billingSeats.saveTotals(P, I, { unbilled: 3, unbilledAmount: 12 }, NOW);
  expect((await r.billingSeats.totalsByPartner())[P]).toEqual({ unbilled: 3, unbilledAmount: 12 });
  await r.billingSeats.forget(P, 'i-gone');
  await r.billingResults.prune(P, I, NOW);
  await r.billingResults.ensureRetention();
  expect(r.billingResults.retentionDays).toBeGreaterThan(0);

  // Run snapshots; a retried prepare overwrites what it stored (the bulk path).
  const runRef = { ...ref, trigger: 'manual' as const };
  const agreement = (agreementId: number): AgreementSnapshot => ({
    agreementId,
    customerId: 'c1',
    companyId: 250,
    usageAsOf: day(15),
    lines: [{ sku: 'seat', quantity: 12, asOf: day(15) }],
    ledger: [{ ...entry, agreementId }],
    pending: [],
    releases: [],
    invoicing: null,
  });
  const batches = [[300, 301], [302]];
  const stored = batches.map((b) => b.map(agreement));
  await r.billingSnapshots.saveBatches(runRef, stored, NOW);
  await r.billingSnapshots.saveBatches(runRef, stored, NOW);
  await r.billingSnapshots.saveAgreements(runRef, [agreement(303)], NOW);
  await r.billingSnapshots.saveAgreements(runRef, [agreement(303), agreement(304)], NOW);
  const run: RunSnapshot = {
    ref: runRef,
    tenantKey: 't1',
    today: '2026-06-15',
    zone: 'America/New_York',
    policy: DEFAULT_BILLING_POLICY,
    products: [{ sku: 'seat', name: 'DefensX Seat', catalogItemId: 1350, price: 4, cost: 2 }],
    skippedSkus: [],
    prepared: { today: '2026-06-15', batches, skipped: [] },
    createdAt: NOW,
  };
  await r.billingSnapshots.saveRun(run);
  await r.billingSnapshots.getRun(runRef);
  await r.billingSnapshots.getAgreement(runRef, 303);
  expect((await r.billingSnapshots.getAgreements(runRef, [300, 302, 303], batches)).size).toBe(3);
  await r.billingSnapshots.savePlan(runRef, {
    agreementId: 300,
    customerId: 'c1',
    companyId: 250,
    today: '2026-06-15',
    operations: [{ action: 'create', sku: 'dlp', productId: 1351, to: { quantity: 3 } }],
    seats: { before: 10, after: 12 },
  });
  await r.billingSnapshots.getPlan(runRef, 300);
  await r.billingSnapshots.getPlans(runRef, [300, 301]);
  await r.billingSnapshots.prune(P, I, NOW);
  await r.billingSnapshots.ensureRetention();

  // Sync runs, paged by every filter the API has.
  const syncRun = (k: number): NewSyncRun => ({
    partnerId: P,
    integrationId: I,
    kind: k % 2 ? 'validation' : 'billing',
    trigger: k === 0 ? 'schedule' : 'manual',
    workflowId: `billing-run:${I}:${k}`,
    runId: `run-${k}`,
    runKey: `billing-run:${I}:${k}`,
    startedAt: minutes(60 * k),
    outcome: k === 4 ? 'failed' : 'succeeded',
  });
  const runs: Array<{ id: string }> = [];
  for (let k = 0; k < 5; k++) runs.push(await r.syncRuns.record(syncRun(k)));
  await r.syncRuns.list(P, I, 10);
  const history = await r.syncRuns.page(P, I, {}, { limit: 2 });
  await r.syncRuns.latest(P, I, { kind: 'billing', counted: new Set(['succeeded', 'failed']) });
  expect(history.next).not.toBeNull();
  await r.syncRuns.page(P, I, {}, { limit: 2, after: history.next! });
  await r.syncRuns.page(P, I, { kind: 'billing' }, { limit: 10 });
  await r.syncRuns.page(P, I, { trigger: 'manual' }, { limit: 10 });
  await r.syncRuns.page(P, I, { outcome: 'failed' }, { limit: 10 });
  await r.syncRuns.page(P, I, { from: NOW, to: LATER }, { limit: 10 });
  expect(await r.syncRuns.get(P, I, runs[0]!.id)).toBeDefined();
  expect(await r.syncRuns.byRunKey(P, I, `billing-run:${I}:0`)).toMatchObject({ id: runs[0]!.id });

  // Ticket events, listed by every filter the API has.
  const event = (k: number): SecurityEvent => ({
    key: `event-${k}`,
    customerId: k % 2 ? 'c2' : 'c1',
    title: `Blocked threat ${k}`,
    severity: 'high',
    description: 'A download was blocked',
    occurredAt: minutes(k).toISOString(),
    category: 'malware',
  });
  for (let k = 0; k < 5; k++) await r.ticketEvents.insertNew(scope, event(k), NOW);
  expect(await r.ticketEvents.insertNew(scope, event(0), NOW)).toBe(false);
  // A batch: a known key and two reports of a new one; only the new key's row is inserted.
  expect([
    ...(await r.ticketEvents.insertNewMany(scope, [event(0), event(5), event(5)], NOW)),
  ]).toEqual(['event-5']);

  // The intake outbox: reports written, their leases renewed, expired ones claimed, removed.
  const report = (k: number) => ({
    reportId: `${I}:event-${k}:r${k}`,
    ...scope,
    workflowId: `ticket:${I}:event-${k}`,
    event: event(k),
    seq: 0,
    createdAt: NOW,
  });
  await r.ticketIntake.add([report(1), report(2)], 'api-1', minutes(1));
  await r.ticketIntake.renew('api-1', [report(1).reportId], minutes(5));
  expect(await r.ticketIntake.waitingFor(report(1).workflowId)).toBe(true);
  const claimed = await r.ticketIntake.claimExpired('api-2', minutes(2), minutes(3));
  expect(claimed.map((c) => c.reportId)).toEqual([report(2).reportId]);
  await r.ticketIntake.remove([report(1).reportId, report(2).reportId]);
  expect(await r.ticketIntake.count()).toBe(0);
  await r.ticketEvents.record(
    scope,
    event(1),
    { state: 'open', ticketId: 9001, generation: 1, beganBy: 'run-1', lastSeen: minutes(30) },
    NOW,
  );
  await r.ticketEvents.record(
    scope,
    event(2),
    { state: 'skipped', reason: 'below threshold' },
    NOW,
  );
  await r.ticketEvents.get(scope, 'event-1');
  await r.ticketEvents.countOccurrences(scope, 'event-1', 2, NOW);
  const tickets = await r.ticketEvents.page(scope, {}, { limit: 2 });
  expect(tickets.next).not.toBeNull();
  await r.ticketEvents.page(scope, {}, { limit: 2, after: tickets.next! });
  await r.ticketEvents.page(scope, { state: 'open' }, { limit: 10 });
  await r.ticketEvents.page(scope, { customerId: 'c2' }, { limit: 10 });
  await r.ticketEvents.removePending(scope, 'event-4');

  // Hosted tab tokens: an install adds its token and drops the others.
  const tabToken = (selector: string) => ({
    selector,
    partnerId: P,
    integrationId: I,
    verifierHash: `hash-${selector}`,
    tenantEpoch: '',
  });
  await r.hostedTabTokens.add(tabToken('sel-1'));
  await r.hostedTabTokens.add(tabToken('sel-2'));
  await r.hostedTabTokens.find('sel-2');
  await r.hostedTabTokens.removeAll(P, I, 'sel-2');
  await r.hostedTabTokens.remove(P, I, 'sel-2');
  await r.hostedTabTokens.add(tabToken('sel-3'));
  await r.hostedTabTokens.removeAll(P, I);

  // Ticket callbacks: their tokens, the events a callback names, the poll, the history.
  const cbToken = (selector: string) => ({
    selector,
    partnerId: P,
    integrationId: I,
    verifierHash: `hash-${selector}`,
  });
  await r.callbackTokens.add(cbToken('cb-1'));
  await r.callbackTokens.add(cbToken('cb-2'));
  await r.callbackTokens.find('cb-1');
  await r.callbackTokens.forIntegration(P, I);
  await r.callbackTokens.removeOthers(P, I, ['cb-2']);
  await r.ticketEvents.findByTicketIds(scope, [9001, 9002]);
  await r.ticketEvents.withOpenTickets(scope);
  await r.ticketEvents.recordConnectWise(scope, 'event-1', 9001, { connectWise: null }, NOW);
  await r.ticketHistory.add(scope, {
    key: 'event-1',
    generation: 1,
    ticketId: 9001,
    at: NOW,
    kind: 'closed',
    detail: 'closed by tmorris',
  });
  await r.ticketHistory.page(scope, 'event-1', { limit: 10 });
  const finding = {
    kind: 'agreement_ineligible' as const,
    object: { type: 'agreement' as const, id: '101' },
    message: 'agreement 101 was cancelled',
    fix: 'choose another',
  };
  const check = { kinds: ['agreement_ineligible' as const], by: 'billing run' };
  await r.healthIssues.observe(scope, check, [finding], NOW);
  await r.healthIssues.observe(scope, check, [finding], NOW);
  await r.healthIssues.observe(scope, check, [], NOW);
  await r.healthIssues.observe(scope, check, [finding], NOW);
  await r.healthIssues.page(scope, {}, { limit: 10 });
  await r.healthIssues.page(scope, { state: 'open' }, { limit: 10 });
  await r.healthIssues.page(scope, { kind: 'agreement_ineligible' }, { limit: 10 });
  await r.healthIssues.page(scope, { state: 'open', kind: 'agreement_ineligible' }, { limit: 10 });
  await r.healthIssues.openKinds(scope);
  await r.healthIssues.openCountsByKind();

  // The webhook outbox: what the changes above emitted, delivered oldest first, a ping, the log.
  expect(
    await r.webhookDeliveries.emit(P, { type: 'ticket.closed', key: 'k', data: {} }, NOW),
  ).toBe(1);
  await r.webhookDeliveries.enqueue(P, [hook.id], { type: 'ping', key: 'p1', data: {} }, NOW);
  const due = await r.webhookDeliveries.due(500);
  expect(due.length).toBeGreaterThan(5);
  await r.webhookDeliveries.markAnnounced(due.map((d) => d.id));
  const first = (await r.webhookDeliveries.nextPending(P, hook.id))!;
  await r.webhookDeliveries.recordAttempt(first, {
    state: 'delivered',
    status: 204,
    error: null,
    at: NOW,
  });
  const hooks = await r.webhookDeliveries.page(P, hook.id, {}, { limit: 2 });
  expect(hooks.next).not.toBeNull();
  await r.webhookDeliveries.page(P, hook.id, {}, { limit: 2, after: hooks.next! });
  await r.webhookDeliveries.page(P, hook.id, { state: 'pending' }, { limit: 10 });
  await r.webhookDeliveries.stalePending(LATER);
  const expired = { status: 503, error: 'down', at: LATER };
  expect(await r.webhookDeliveries.expirePending(P, hook.id, LATER, expired)).toBeGreaterThan(0);
  await r.webhookDeliveries.prune(P, hook.id, LATER);
  expect(await r.webhooks.remove(P, other.id)).toBe(true);
  expect(await r.webhookDeliveries.removeOrphans([other.id], LATER)).toBe(1);
  await r.webhookDeliveries.removeAll(P, hook.id);

  // A change of tenant clears the mappings; deleting the integration frees its slot.
  await r.companyMappings.clear(P, I);
  await r.productMappings.clear(P, I);
  expect(await r.integrations.markDeleted(P, I, { keepSecret: true })).toBe(true);
  expect(await r.integrations.dropDeletedSecret(P, I)).toBe(true);
}

// ---------------------------------------------------------------------------------------------

let db: TestDatabase;
let previousDebug: MongooseOptions['debug'];

/** One row of the printed table per query shape. */
interface Row {
  collection: string;
  method: string;
  filter: string;
  sort: string;
  limit: string;
  served: string;
  residual: string;
  via: string;
  plans: Set<string>;
}
const rows = new Map<string, Row>();

const rowKey = (q: Query) =>
  JSON.stringify([q.collection, q.method, shapeOf(q.filter), sortText(q.sort), q.limit, q.via]);

const describeQuery = (q: Query) =>
  `${q.collection}.${q.method} filter {${shapeOf(q.filter)}}` +
  `${q.sort.length ? ` sort {${sortText(q.sort)}}` : ''}` +
  `${q.limit !== undefined ? ` limit ${q.limit}` : ''} from ${q.via.join(' > ') || '(no repository)'}`;

function modelOf(collection: string): Model<unknown> {
  const model = Object.values(db.conn.models).find(
    (m) => m.collection.collectionName === collection,
  ) as Model<unknown> | undefined;
  if (!model) throw new Error(`no model for the collection ${collection}`);
  return model;
}

beforeAll(async () => {
  db = await openTestDatabase('query-indexes');
  previousDebug = mongoose.get('debug');
  mongoose.set('debug', onCollectionCall);
  const repos = Object.fromEntries(
    Object.entries(db.repos).map(([name, repo]) => [name, instrument(name, repo as object)]),
  ) as unknown as Repositories;
  recording = true;
  try {
    await callEveryMethod(repos, db);
  } finally {
    recording = false;
  }
}, 60_000);

afterAll(async () => {
  mongoose.set('debug', previousDebug ?? false);
  if (rows.size > 0) {
    const header: Array<keyof Row> = [
      'collection',
      'method',
      'filter',
      'sort',
      'limit',
      'served',
      'residual',
      'via',
      'plans',
    ];
    const cells = [...rows.values()]
      .sort((a, b) => a.collection.localeCompare(b.collection) || a.via.localeCompare(b.via))
      .map((row) =>
        header.map((h) => {
          const v = row[h];
          return typeof v === 'string' ? v : [...v].join(' | ');
        }),
      );
    const widths = header.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k]!.length)));
    const line = (c: readonly string[]) => c.map((v, k) => v.padEnd(widths[k]!)).join('  ');
    // eslint-disable-next-line no-console
    console.log(
      [`Queries of the repositories (${rows.size} shapes)`, line(header), ...cells.map(line)].join(
        '\n',
      ),
    );
  }
  await db?.close();
});

test('every repository method is called by this test', () => {
  const missing = Object.entries(db.repos).flatMap(([name, repo]) =>
    membersOf(repo as object)
      .map((member) => `${name}.${member}`)
      .filter((label) => !called.has(label)),
  );
  expect(missing).toEqual([]);
  expect(unknownMethods).toEqual([]);
});

test("every query is served by one of the model's declared indexes, or scans by design", () => {
  expect(queries.length).toBeGreaterThan(0);
  const unserved: string[] = [];
  const allowUsed = new Set<string>();
  for (const q of queries) {
    const served = servingIndex(q, declaredIndexes(modelOf(q.collection)));
    const allowed = served ? undefined : allowedScan(q);
    if (allowed) allowUsed.add(allowed);
    if (!served && !allowed) unserved.push(describeQuery(q));
    const fields = [...conditionsOf(q.filter).keys()];
    const key = rowKey(q);
    if (!rows.has(key))
      rows.set(key, {
        collection: q.collection,
        method: q.method,
        filter: shapeOf(q.filter),
        sort: sortText(q.sort),
        limit: q.limit === undefined ? '' : String(q.limit),
        served:
          served?.index ?? (allowed ? `scan by design: ${SCANS_BY_DESIGN[allowed]}` : 'NOT SERVED'),
        residual: served ? fields.filter((f) => !served.bounded.has(f)).join(' ') : '',
        via: q.via.map((m, k) => (k === 0 ? m : m.split('.')[1])).join(' > '),
        plans: new Set(),
      });
  }
  expect([...new Set(unserved)]).toEqual([]);
  expect(Object.keys(SCANS_BY_DESIGN).filter((m) => !allowUsed.has(m))).toEqual([]);
});

const onPostgres = (process.env.CW_FERRETDB_BACKEND ?? 'postgresql') === 'postgresql';

(onPostgres ? test : test.skip)(
  "FerretDB's PostgreSQL plans read an index for every find, among other partners' rows",
  async () => {
    const raw = db.conn.db!;
    const buildInfo = await raw.command({ buildInfo: 1 });
    // TEST_MONGODB_URI may name a MongoDB: its plans are not PostgreSQL's.
    if (buildInfo.ferretdbVersion === undefined) return;

    // Distinct (collection, filter, sort, limit): each explained once, for every method sending it.
    const finds = new Map<string, Query[]>();
    for (const q of queries) {
      if (q.method !== 'find' && q.method !== 'findOne') continue;
      const key = mongoose.mongo.BSON.EJSON.stringify(
        { c: q.collection, f: q.filter, s: q.sort, l: q.limit ?? 0 },
        { relaxed: false },
      );
      finds.set(key, [...(finds.get(key) ?? []), q]);
    }

    // Other partners' rows first, once per collection, then fresh statistics (collStats ANALYZEs).
    const collections = [...new Set([...finds.values()].map(([q]) => q!.collection))];
    for (const name of collections) {
      const model = modelOf(name);
      const perPartner = model.schema
        .indexes()
        .some(
          ([fields, options]) =>
            options?.unique === true &&
            Object.keys(fields).every((f) => ['partnerId', 'integrationId', 'slot'].includes(f)),
        );
      const docs = Array.from({ length: FILLER_ROWS }, (_, i) => {
        const k = perPartner ? i : i % FILLER_PARTNERS;
        return fillerDoc(model.schema, i, {
          partnerId: `filler-partner-${k}`,
          integrationId: `filler-integration-${k}`,
        });
      });
      await raw.collection(name).insertMany(docs, { ordered: false });
      await raw.command({ collStats: name });
    }

    const scans: string[] = [];
    const matchedFiller: string[] = [];
    for (const same of finds.values()) {
      const q = same[0]!;
      const sort = Object.fromEntries(q.sort);
      const options = { sort, ...(q.limit !== undefined ? { limit: q.limit } : {}) };
      const explained = await raw.collection(q.collection).find(q.filter, options).explain();
      const plan = (explained.queryPlanner as { Plan?: PlanNode } | undefined)?.Plan;
      if (!plan) throw new Error(`no PostgreSQL plan for ${describeQuery(q)}`);
      const text = planText(plan);
      for (const s of same) rows.get(rowKey(s))?.plans.add(text);
      if (same.every(allowedScan)) continue;
      const seq = [...nodesOf(plan)].filter((n) => n['Node Type'] === 'Seq Scan');
      const from = [...new Set(same.map((s) => s.via.join(' > ')))]
        .slice(1)
        .map((via) => ` and ${via}`)
        .join('');
      if (seq.length > 0)
        scans.push(`${describeQuery(q)}${from}: ${text} (${seq[0]!['Relation Name'] ?? '?'})`);
      const found = await raw.collection(q.collection).find(q.filter, options).toArray();
      if (found.some(isFiller)) matchedFiller.push(`${describeQuery(q)}${from}`);
    }
    expect(matchedFiller).toEqual([]);
    expect(scans).toEqual([]);
  },
  60_000,
);
