import { readRoutes } from './collection';
import type { RouteTable } from './types';

/** `/system/info` (the auth probe) and the calling member's security rows. */
export function systemRoutes(): RouteTable {
  return {
    'GET /system/info': {
      handler: (ctx) => ({ status: 200, body: structuredClone(ctx.store.info) }),
    },
    ...readRoutes('/system/mySecurity', 'mySecurity'),
    ...readRoutes('/system/mySecurity/customizeItems/', 'customizeItems'),
  };
}
