import type { ConnectWiseClient, RequestOptions } from '../client';
import { systemInfoSchema, type SystemInfo } from '../schemas/system';

/** `/system/info`: confirms keys, clientId and site in one cheap call (docs/connectwise.md §6 step 2). */
export async function getSystemInfo(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<SystemInfo> {
  return await client.get('/system/info', systemInfoSchema, {}, options);
}
