import { readRoutes } from './collection';
import type { RouteTable } from './types';

export function projectRoutes(): RouteTable {
  return readRoutes('/project/tickets', 'projectTickets');
}
