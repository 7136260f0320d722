import { readRoutes } from './collection';
import type { RouteTable } from './types';

export function companyRoutes(): RouteTable {
  return readRoutes('/company/companies', 'companies');
}
