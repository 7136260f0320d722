import { CallbackDispatcher } from './callbacks';
import { cwDate } from './dates';
import type { BodyFormat } from './edge';
import { schema } from './openapi';
import { resolveRefs } from './refs';
import { COLLECTIONS, RESOURCES, type CollectionName, type SimRecord } from './resources';
import type { SimulatorSeed } from './seed';

export interface Credentials {
  publicKey: string;
  privateKey: string;
}

const SEED_INFO = {
  lastUpdated: '2025-01-15T12:00:00Z',
  updatedBy: 'seed',
  dateEntered: '2025-01-15T12:00:00Z',
  enteredBy: 'seed',
};

/** Normalises a codebase to CW's spelling, which always ends in `/` (e.g. `v2025_1/`). */
export function normaliseCodebase(codebase: string): string {
  const trimmed = codebase.replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9_.-]+$/.test(trimmed)) throw new Error(`invalid codebase '${codebase}'`);
  return `${trimmed}/`;
}

/**
 * All simulated ConnectWise state, in memory. Records are kept in their response form (references
 * already carry names), so `conditions` and `fields` work on exactly what a client would see.
 */
export class Store {
  private data = new Map<CollectionName, Map<number, SimRecord>>();
  credentials: Credentials = { publicKey: '', privateKey: '' };
  clientIds: string[] = [];
  codebase = '';
  /** How a request on a retired codebase is answered: CW-style JSON, or an IIS page (verify). */
  oldCodebaseBody: BodyFormat = 'json';
  /** Registered callbacks' deliveries (simulator/callbacks.ts). */
  readonly callbacks: CallbackDispatcher = new CallbackDispatcher(this);

  constructor(
    readonly seed: SimulatorSeed,
    private readonly initialCodebase: string,
  ) {
    this.reset();
  }

  get site(): SimulatorSeed['site'] {
    return this.seed.site;
  }

  get member(): SimulatorSeed['member'] {
    return this.seed.member;
  }

  get info(): SimulatorSeed['info'] {
    return this.seed.info;
  }

  /** Back to the seed: records, keys, accepted clientIds and codebase (and its 404 body). */
  reset(): void {
    this.credentials = {
      publicKey: this.seed.credentials.publicKey,
      privateKey: this.seed.credentials.privateKey,
    };
    this.clientIds = [...this.seed.credentials.clientIds];
    this.codebase = normaliseCodebase(this.initialCodebase);
    this.oldCodebaseBody = 'json';
    this.callbacks.reset();
    this.highestIds.clear();
    this.data = new Map(COLLECTIONS.map((name) => [name, new Map<number, SimRecord>()]));
    for (const name of COLLECTIONS) {
      for (const raw of this.seed.collections[name])
        this.table(name).set(raw.id, structuredClone(raw));
    }
    // References are filled only once every collection is loaded, so seed order does not matter.
    for (const name of COLLECTIONS) {
      const withInfo = Boolean(schema(RESOURCES[name].schema).properties?._info);
      for (const record of this.table(name).values()) {
        resolveRefs(this, name, record);
        if (withInfo && !record._info) record._info = { ...SEED_INFO };
      }
    }
    for (const record of this.table('mySecurity').values()) {
      record.member ??= { ...this.member };
    }
  }

  private readonly highestIds = new Map<CollectionName, number>();

  private table(name: CollectionName): Map<number, SimRecord> {
    const t = this.data.get(name);
    if (!t) throw new Error(`unknown collection ${name}`);
    return t;
  }

  /** Records in id order (the order CW returns when no orderBy is given). */
  list(name: CollectionName): SimRecord[] {
    return [...this.table(name).values()].sort((a, b) => a.id - b.id);
  }

  get(name: CollectionName, id: number): SimRecord | undefined {
    return this.table(name).get(id);
  }

  /** Ids are never reused, as ConnectWise's (an identity column): a deleted record's id stays taken. */
  nextId(name: CollectionName): number {
    let max = this.highestIds.get(name) ?? 0;
    for (const id of this.table(name).keys()) max = Math.max(max, id);
    this.highestIds.set(name, max + 1);
    return max + 1;
  }

  /** Inserts or replaces, stamping `_info` the way CW does on every write. */
  save(name: CollectionName, record: SimRecord): SimRecord {
    if (schema(RESOURCES[name].schema).properties?._info) {
      const previous = this.table(name).get(record.id)?._info as Record<string, string> | undefined;
      const now = cwDate();
      record._info = {
        ...previous,
        lastUpdated: now,
        updatedBy: this.member.identifier,
        ...(previous?.dateEntered ? {} : { dateEntered: now, enteredBy: this.member.identifier }),
      };
    }
    this.table(name).set(record.id, record);
    return record;
  }

  remove(name: CollectionName, id: number): boolean {
    return this.table(name).delete(id);
  }

  /** Adds `count` generated companies (for paging beyond 1000 rows); returns their id range. */
  addGeneratedCompanies(count: number): { firstId: number; lastId: number } {
    const firstId = this.nextId('companies');
    for (let i = 0; i < count; i++) {
      const id = firstId + i;
      const n = String(id).padStart(6, '0');
      this.save('companies', {
        id,
        identifier: `GenCo${n}`,
        name: `Generated Company ${n}`,
        status: { id: 1, name: 'Active' },
        types: [{ id: 1, name: 'Client' }],
        deletedFlag: false,
      });
    }
    return { firstId, lastId: firstId + count - 1 };
  }
}
