import type { SharedServers } from './shared-servers';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __sharedServers?: SharedServers }).__sharedServers?.close();
}
