import type { BodyFormat } from './edge';
import type { Delivery, DeliveryFault } from './callbacks';
import type { ActiveFault, FaultRuleInput } from './faults';
import type { AgreementInvoice } from './invoicing';
import type { JournalEntry } from './journal';
import type { CollectionName, SimRecord } from './resources';
import type { SecurityLevels } from './security';

/** Loose views of stored records: the fields tests usually assert on, plus everything else. */
export interface SimAddition extends SimRecord {
  agreementId: number;
  product: { id: number; identifier?: string };
  quantity: number;
  billCustomer: 'Billable' | 'DoNotBill' | 'NoCharge';
  effectiveDate?: string;
  cancelledDate?: string;
  unitPrice?: number;
  unitCost?: number;
}

export interface SimTicket extends SimRecord {
  summary: string;
  board: { id: number; name?: string };
  status: { id: number; name?: string };
  company: { id: number; identifier?: string; name?: string };
  closedFlag: boolean;
  externalXRef?: string;
}

export interface SimCatalogItem extends SimRecord {
  identifier: string;
  description: string;
  integrationXRef?: string;
}

export interface SimNote extends SimRecord {
  ticketId: number;
  text: string;
}

/** Typed HTTP client for `/__admin`, so tests in any folder drive the simulator over the network. */
export interface SimulatorAdmin {
  faults: {
    add(rule: FaultRuleInput): Promise<ActiveFault>;
    list(): Promise<ActiveFault[]>;
    /** Removes every rule; restarts the fault PRNG from `seed` (default 42). */
    clear(seed?: number): Promise<void>;
  };
  security: {
    /** `lineKey` is `Module/Function`, e.g. `Finance/Agreements`. */
    setLevels(lineKey: string, levels: SecurityLevels): Promise<SimRecord>;
    /** Sets every level of the line to None. */
    revoke(lineKey: string): Promise<SimRecord>;
    /** By customize item id, or by customizeIdentifier (e.g. `SystemManageHostedApi`). */
    revokeCustomizeItem(id: number | string): Promise<number>;
  };
  keys: { rotate(): Promise<{ publicKey: string; privateKey: string }> };
  codebase: {
    get(): Promise<string>;
    /**
     * Switches the codebase; requests on the old one get 404. `oldCodebaseBody` makes that 404 an
     * IIS-style `html` or `text` page instead of CW's JSON (until reset).
     */
    set(codebase: string, opts?: { oldCodebaseBody?: BodyFormat }): Promise<string>;
  };
  journal: {
    list(): Promise<JournalEntry[]>;
    /** Requests per `METHOD /template`, e.g. `{"POST /service/tickets": 1}`. */
    counts(): Promise<Record<string, number>>;
    clear(): Promise<void>;
  };
  /** Back to the seed (records, keys, codebase, security); also clears faults and the journal. */
  reset(): Promise<void>;
  seed: { companies(count: number): Promise<{ firstId: number; lastId: number }> };
  agreements: {
    /**
     * Runs Agreement Invoicing for one agreement, as the MSP would: its `nextInvoiceDate` moves on
     * by one billing cycle (Monthly, Quarterly, Semi-Annual, Annual). Rejects an unknown agreement
     * or a cycle the simulator cannot invoice.
     */
    invoice(agreementId: number): Promise<AgreementInvoice>;
  };
  state: {
    collection(name: CollectionName, parentId?: number): Promise<SimRecord[]>;
    additions(agreementId?: number): Promise<SimAddition[]>;
    tickets(): Promise<SimTicket[]>;
    notes(ticketId?: number): Promise<SimNote[]>;
    catalog(): Promise<SimCatalogItem[]>;
    hostedSetups(): Promise<SimRecord[]>;
    companies(): Promise<SimRecord[]>;
    agreements(): Promise<SimRecord[]>;
    mySecurity(): Promise<SimRecord[]>;
    /**
     * Inserts or replaces one record (whole, with its id), as an edit in ConnectWise's own screens:
     * e.g. an agreement made one-time. References are resolved (`{id}` gains its name).
     */
    put<T extends SimRecord>(name: CollectionName, record: T): Promise<T>;
    /** Deletes one record, as in ConnectWise's screens (a ticket's callbacks fire). */
    remove(name: CollectionName, id: number): Promise<void>;
    /** Registered callbacks (`/system/callbacks`). */
    callbacks(): Promise<SimRecord[]>;
  };
  /** Acting as a technician in ConnectWise's screens: each change fires the ticket's callbacks. */
  technician: {
    close(ticketId: number, opts?: TechnicianOptions & { statusId?: number }): Promise<SimTicket>;
    reopen(ticketId: number, opts?: TechnicianOptions & { statusId?: number }): Promise<SimTicket>;
    reassign(ticketId: number, owner: string, opts?: TechnicianOptions): Promise<SimTicket>;
    prioritise(ticketId: number, priorityId: number, opts?: TechnicianOptions): Promise<SimTicket>;
  };
  callbacks: {
    /** Every delivery so far (waits for those on their way): its receiver's status or fault. */
    deliveries(): Promise<Delivery[]>;
    /** Faults for the next deliveries: drop, duplicate, delay (`delayMs`), badSignature. */
    fault(fault: DeliveryFaultInput): Promise<void>;
    clearFaults(): Promise<void>;
    /** A new signing key (the old one's key URL still answers). */
    rotateKey(): Promise<string>;
  };
}

export interface TechnicianOptions {
  /** Who acts (default: the simulator's technician, tmorris). */
  member?: { id: number; identifier: string; name: string };
}

/** A delivery fault as sent (count and delayMs default to 1 and 2,000 ms). */
export type DeliveryFaultInput = Pick<DeliveryFault, 'kind'> & Partial<Omit<DeliveryFault, 'kind'>>;

export function createAdminClient(origin: string): SimulatorAdmin {
  const base = `${origin}/__admin`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator admin ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const line = (key: string) => key.split('/').map(encodeURIComponent).join('/');
  const state = <T extends SimRecord>(name: CollectionName, parentId?: number) =>
    call<T[]>('GET', `/state/${name}${parentId === undefined ? '' : `?parentId=${parentId}`}`);
  return {
    faults: {
      add: (rule) => call('POST', '/faults', rule),
      list: () => call('GET', '/faults'),
      clear: (seed) => call('DELETE', `/faults${seed === undefined ? '' : `?seed=${seed}`}`),
    },
    security: {
      setLevels: (key, levels) => call('PUT', `/security/lines/${line(key)}`, levels),
      revoke: (key) => call('POST', `/security/lines/${line(key)}/revoke`),
      revokeCustomizeItem: async (id) =>
        (
          await call<{ removed: number }>(
            'DELETE',
            `/security/customizeItems/${encodeURIComponent(String(id))}`,
          )
        ).removed,
    },
    keys: { rotate: () => call('POST', '/keys/rotate') },
    codebase: {
      get: async () => (await call<{ codebase: string }>('GET', '/codebase')).codebase,
      set: async (codebase, opts = {}) =>
        (await call<{ codebase: string }>('PUT', '/codebase', { codebase, ...opts })).codebase,
    },
    journal: {
      list: () => call('GET', '/journal'),
      counts: () => call('GET', '/journal/counts'),
      clear: () => call('DELETE', '/journal'),
    },
    reset: () => call('POST', '/reset'),
    seed: { companies: (count) => call('POST', '/seed/companies', { count }) },
    agreements: {
      invoice: (agreementId) => call('POST', `/agreements/${agreementId}/invoice`),
    },
    state: {
      collection: (name, parentId) => state(name, parentId),
      additions: (agreementId) => state<SimAddition>('additions', agreementId),
      tickets: () => state<SimTicket>('tickets'),
      notes: (ticketId) => state<SimNote>('notes', ticketId),
      catalog: () => state<SimCatalogItem>('catalog'),
      hostedSetups: () => state('hostedSetups'),
      companies: () => state('companies'),
      agreements: () => state('agreements'),
      mySecurity: () => state('mySecurity'),
      put: (name, record) => call('PUT', `/state/${name}/${record.id}`, record),
      remove: (name, id) => call('DELETE', `/state/${name}/${id}`),
      callbacks: () => state('callbacks'),
    },
    technician: {
      close: (id, opts = {}) => call('POST', `/technician/tickets/${id}/close`, opts),
      reopen: (id, opts = {}) => call('POST', `/technician/tickets/${id}/reopen`, opts),
      reassign: (id, owner, opts = {}) =>
        call('POST', `/technician/tickets/${id}/reassign`, { ...opts, owner }),
      prioritise: (id, priorityId, opts = {}) =>
        call('POST', `/technician/tickets/${id}/prioritise`, { ...opts, priorityId }),
    },
    callbacks: {
      deliveries: () => call('GET', '/callbacks/deliveries'),
      fault: async (fault) => {
        await call('POST', '/callbacks/faults', fault);
      },
      clearFaults: () => call('DELETE', '/callbacks/faults'),
      rotateKey: async () => (await call<{ keyId: string }>('POST', '/callbacks/rotate-key')).keyId,
    },
  };
}
