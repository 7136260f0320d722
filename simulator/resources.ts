/** Every collection the simulator keeps, and how its records relate to each other. */
export const COLLECTIONS = [
  'companies',
  'agreementTypes',
  'agreements',
  'additions',
  'categories',
  'subcategories',
  'productTypes',
  'catalog',
  'boards',
  'boardStatuses',
  'boardTypes',
  'priorities',
  'sources',
  'projectTickets',
  'tickets',
  'notes',
  'hostedScreens',
  'hostedSetups',
  'callbacks',
  'mySecurity',
  'customizeItems',
] as const;

export type CollectionName = (typeof COLLECTIONS)[number];

export type SimRecord = { id: number } & Record<string, unknown>;

/**
 * A reference field (`{id, name, ...}`) that points at another collection. Writes send `{id}` (or an
 * identifier/name); the simulator fills the rest from the target, as CW does in its responses.
 */
export interface RefDef {
  field: string;
  collection: CollectionName;
  /** Output key → key on the target record. */
  pick: Record<string, string>;
  label: string;
  /** Restricts the target (a status must belong to the ticket's board). */
  scope?: (record: SimRecord, target: SimRecord) => boolean;
  scopeLabel?: (record: SimRecord) => string;
}

export interface ResourceDef {
  collection: CollectionName;
  /** Schema name in the spec, for field checks and max lengths. */
  schema: string;
  /** Human label for "not found" messages, e.g. "Service Board". */
  label: string;
  /** Resource name CW puts in validation errors, e.g. "ticket". */
  resource: string;
  /** Child collections live under a parent record (`/service/boards/{parentId}/statuses`). */
  parent?: { collection: CollectionName; path: string[] };
  refs?: RefDef[];
}

const idName = { id: 'id', name: 'name' };
const companyRef: RefDef = {
  field: 'company',
  collection: 'companies',
  pick: { id: 'id', identifier: 'identifier', name: 'name' },
  label: 'Company',
};
const boardRef: RefDef = {
  field: 'board',
  collection: 'boards',
  pick: idName,
  label: 'Service Board',
};

function refId(record: SimRecord, field: string): unknown {
  const ref = record[field];
  return ref && typeof ref === 'object' ? (ref as { id?: unknown }).id : undefined;
}

const statusOnBoard: RefDef = {
  field: 'status',
  collection: 'boardStatuses',
  pick: { id: 'id', name: 'name', sort: 'sortOrder' },
  label: 'Service Status',
  scope: (record, status) => refId(status, 'board') === refId(record, 'board'),
  scopeLabel: (record) => `for Service Board ${String(refId(record, 'board'))}`,
};

export const RESOURCES: Record<CollectionName, ResourceDef> = {
  companies: { collection: 'companies', schema: 'Company', label: 'Company', resource: 'company' },
  agreementTypes: {
    collection: 'agreementTypes',
    schema: 'AgreementType',
    label: 'Agreement Type',
    resource: 'agreementType',
  },
  agreements: {
    collection: 'agreements',
    schema: 'Agreement',
    label: 'Agreement',
    resource: 'agreement',
    refs: [
      { field: 'type', collection: 'agreementTypes', pick: idName, label: 'Agreement Type' },
      companyRef,
    ],
  },
  additions: {
    collection: 'additions',
    schema: 'Addition',
    label: 'Addition',
    resource: 'addition',
    parent: { collection: 'agreements', path: ['agreementId'] },
    refs: [
      {
        field: 'product',
        collection: 'catalog',
        pick: { id: 'id', identifier: 'identifier' },
        label: 'Product',
      },
    ],
  },
  categories: {
    collection: 'categories',
    schema: 'Category',
    label: 'Category',
    resource: 'category',
  },
  subcategories: {
    collection: 'subcategories',
    schema: 'SubCategory',
    label: 'Subcategory',
    resource: 'subCategory',
    refs: [{ field: 'category', collection: 'categories', pick: idName, label: 'Category' }],
  },
  productTypes: {
    collection: 'productTypes',
    schema: 'ProductType',
    label: 'Product Type',
    resource: 'productType',
  },
  catalog: {
    collection: 'catalog',
    schema: 'CatalogItem',
    label: 'Catalog Item',
    resource: 'catalogItem',
    refs: [
      { field: 'category', collection: 'categories', pick: idName, label: 'Category' },
      { field: 'subcategory', collection: 'subcategories', pick: idName, label: 'Subcategory' },
      { field: 'type', collection: 'productTypes', pick: idName, label: 'Product Type' },
    ],
  },
  boards: { collection: 'boards', schema: 'Board', label: 'Service Board', resource: 'board' },
  boardStatuses: {
    collection: 'boardStatuses',
    schema: 'BoardStatus',
    label: 'Service Status',
    resource: 'boardStatus',
    parent: { collection: 'boards', path: ['board', 'id'] },
    refs: [boardRef],
  },
  boardTypes: {
    collection: 'boardTypes',
    schema: 'BoardType',
    label: 'Service Type',
    resource: 'boardType',
    parent: { collection: 'boards', path: ['board', 'id'] },
    refs: [boardRef],
  },
  priorities: {
    collection: 'priorities',
    schema: 'Priority',
    label: 'Priority',
    resource: 'priority',
  },
  sources: { collection: 'sources', schema: 'Source', label: 'Source', resource: 'source' },
  projectTickets: {
    collection: 'projectTickets',
    schema: 'ProjectTicket',
    label: 'Project Ticket',
    resource: 'ticket',
    refs: [boardRef, statusOnBoard, companyRef],
  },
  tickets: {
    collection: 'tickets',
    schema: 'Ticket',
    label: 'Ticket',
    resource: 'ticket',
    refs: [
      boardRef,
      statusOnBoard,
      companyRef,
      { field: 'source', collection: 'sources', pick: idName, label: 'Source' },
      {
        field: 'priority',
        collection: 'priorities',
        pick: { id: 'id', name: 'name', sort: 'sortOrder', level: 'level' },
        label: 'Priority',
      },
      { field: 'agreement', collection: 'agreements', pick: idName, label: 'Agreement' },
    ],
  },
  notes: {
    collection: 'notes',
    schema: 'ServiceNote',
    label: 'Note',
    resource: 'serviceNote',
    parent: { collection: 'tickets', path: ['ticketId'] },
  },
  hostedScreens: {
    collection: 'hostedScreens',
    schema: 'ConnectWiseHostedScreen',
    label: 'Hosted Screen',
    resource: 'connectWiseHostedScreen',
  },
  hostedSetups: {
    collection: 'hostedSetups',
    schema: 'ConnectWiseHostedSetup',
    label: 'Hosted Setup',
    resource: 'connectWiseHostedSetup',
  },
  callbacks: {
    collection: 'callbacks',
    schema: 'CallbackEntry',
    label: 'Callback',
    resource: 'callbackEntry',
  },
  mySecurity: {
    collection: 'mySecurity',
    schema: 'MySecurity',
    label: 'Security',
    resource: 'mySecurity',
  },
  customizeItems: {
    collection: 'customizeItems',
    schema: 'MySecurityCustomizeItem',
    label: 'Customize Item',
    resource: 'mySecurityCustomizeItem',
  },
};
