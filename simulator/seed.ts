import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CollectionName } from './resources';

const ref = z.looseObject({ id: z.number().int() });
const level = z.enum(['None', 'My', 'All']);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'yyyy-MM-ddTHH:mm:ssZ');

/** Every record has a positive integer id; the named fields are the ones the simulator relies on. */
function records<T extends z.ZodRawShape>(shape: T) {
  return z.array(z.looseObject({ id: z.number().int().positive(), ...shape })).default([]);
}

const collections = z.object({
  companies: records({
    identifier: z.string().min(1),
    name: z.string().min(1),
    deletedFlag: z.boolean().optional(),
  }),
  agreementTypes: records({ name: z.string() }),
  agreements: records({
    name: z.string(),
    type: ref,
    company: ref,
    contact: ref,
    agreementStatus: z.enum(['Active', 'Cancelled', 'Expired', 'Inactive']),
    startDate: isoDate.optional(),
    endDate: isoDate.optional(),
    billStartDate: isoDate.optional(),
    /** A date, as ConnectWise serves it; the admin's invoicing moves it on a billing cycle. */
    nextInvoiceDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/, 'yyyy-MM-dd or yyyy-MM-ddTHH:mm:ssZ')
      .optional(),
    invoiceProratedAdditionsFlag: z.boolean().optional(),
  }),
  additions: records({
    agreementId: z.number().int(),
    product: ref,
    billCustomer: z.enum(['Billable', 'DoNotBill', 'NoCharge']),
    quantity: z.number().optional(),
  }),
  categories: records({ name: z.string() }),
  subcategories: records({ name: z.string(), category: ref }),
  productTypes: records({ name: z.string() }),
  catalog: records({
    identifier: z.string(),
    description: z.string(),
    customerDescription: z.string(),
    subcategory: ref,
    type: ref,
  }),
  boards: records({ name: z.string(), location: ref, department: ref }),
  boardStatuses: records({
    name: z.string(),
    board: ref,
    closedStatus: z.boolean(),
    inactive: z.boolean(),
    defaultFlag: z.boolean(),
    sortOrder: z.number().int(),
  }),
  boardTypes: records({ name: z.string(), board: ref }),
  priorities: records({ name: z.string(), color: z.string() }),
  sources: records({ name: z.string() }),
  projectTickets: records({ summary: z.string(), board: ref, phase: ref }),
  tickets: records({ summary: z.string(), board: ref, status: ref, company: ref }),
  notes: records({ ticketId: z.number().int(), text: z.string() }),
  hostedScreens: records({ screenId: z.string(), name: z.string() }),
  hostedSetups: records({
    screenId: z.number().int(),
    description: z.string(),
    url: z.string(),
    type: z.enum(['Tab', 'Pod', 'ToolbarButton']),
  }),
  mySecurity: records({
    moduleIdentifier: z.string(),
    moduleFunctionIdentifier: z.string(),
    moduleFunctionName: z.string(),
    moduleName: z.string(),
    addLevel: level,
    editLevel: level,
    deleteLevel: level,
    inquireLevel: level,
  }),
  customizeItems: records({ customizeIdentifier: z.string(), itemIdentifier: z.string() }),
  callbacks: records({ url: z.string(), type: z.string(), level: z.string() }),
} satisfies Record<CollectionName, unknown>);

export const seedSchema = z.object({
  site: z.object({
    companyId: z.string().min(1),
    companyName: z.string().min(1),
    versionCode: z.string(),
    versionNumber: z.string(),
    isCloud: z.boolean(),
  }),
  credentials: z.object({
    publicKey: z.string().min(1),
    privateKey: z.string().min(1),
    clientIds: z.array(z.uuid()).min(1),
  }),
  member: z.object({ id: z.number().int(), identifier: z.string(), name: z.string() }),
  info: z.looseObject({
    version: z.string(),
    isCloud: z.boolean(),
    serverTimeZone: z.string(),
    cloudRegion: z.string(),
  }),
  collections,
});

/** What the simulator starts from (and returns to on `reset()`). */
export type SimulatorSeed = z.infer<typeof seedSchema>;
/** The JSON form of a seed, before defaults are applied (what fixtures are written as). */
export type SimulatorSeedInput = z.input<typeof seedSchema>;

export function parseSeed(input: unknown): SimulatorSeed {
  return seedSchema.parse(input);
}

export const DEMO_SEED_PATH = join(__dirname, 'fixtures', 'demo.json');

/** The demo fixture, validated; a fresh copy each call so callers may change it. */
export function loadDemoSeed(): SimulatorSeed {
  return parseSeed(JSON.parse(readFileSync(DEMO_SEED_PATH, 'utf8')));
}
