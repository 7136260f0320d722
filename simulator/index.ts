import { startSimulatorServer, type SimulatorHandle, type SimulatorOptions } from './server';

export type { SimulatorHandle, SimulatorOptions } from './server';
export type {
  SimulatorAdmin,
  SimAddition,
  SimTicket,
  SimCatalogItem,
  SimNote,
} from './admin-client';
export { createAdminClient } from './admin-client';
export type { AgreementInvoice } from './invoicing';
export type { FaultRule, FaultRuleInput, ActiveFault } from './faults';
export type { BodyFormat, RetryAfterStyle } from './edge';
export type { JournalEntry } from './journal';
export type { CollectionName, SimRecord } from './resources';
export type { SecurityLevel, SecurityLevels, RoleLine } from './security';
export { ROLE_LINES, HOSTED_API_CUSTOMIZATION } from './security';
export { loadDemoSeed, type SimulatorSeed, type SimulatorSeedInput } from './seed';
export { DEFAULT_CODEBASE, STABLE_CODEBASE } from './server';

/** The demo tenant's login; the same values as `fixtures/demo.json` (a test keeps them in step). */
export const DEMO_CREDENTIALS = {
  companyId: 'demomsp',
  publicKey: 'dfxDemoPublic001',
  privateKey: 'dfxDemoPrivate01',
  clientId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
} as const;

/**
 * Starts the ConnectWise PSA simulator. Defaults: 127.0.0.1, an ephemeral port, the demo seed and
 * codebase `v2025_1/` (the `v4_6_release/` alias always works too).
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const { sim: _sim, ...handle } = await startSimulatorServer(opts);
  return handle;
}

/**
 * Ticket settings that hold in the demo seed: the Security board (2), source 4, its New (201)
 * and Resolved (203) statuses. Tests and benchmarks turn ticket integration on with them.
 */
export const DEMO_TICKET_SETTINGS = {
  enabled: true,
  boardId: 2,
  sourceId: 4,
  initialStatusId: 201,
  closingStatusId: 203,
} as const;
