import type { ConnectWiseClient, RequestOptions } from '../client';

/** Inquire probe only: the engine never reads project tickets otherwise. */
export async function countProjectTickets(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<number> {
  return await client.count('/project/tickets', {}, options);
}
