import { callbackRoutes } from './callbacks';
import { companyRoutes } from './companies';
import { financeRoutes } from './finance';
import { hostedRoutes } from './hosted';
import { procurementRoutes } from './procurement';
import { projectRoutes } from './project';
import { serviceRoutes } from './service';
import { systemRoutes } from './system';
import type { RouteTable } from './types';

/** Every operation of the spec excerpt, keyed `METHOD /template` (a test keeps it in step with the spec). */
export function routeTable(): RouteTable {
  return {
    ...companyRoutes(),
    ...financeRoutes(),
    ...procurementRoutes(),
    ...projectRoutes(),
    ...serviceRoutes(),
    ...hostedRoutes(),
    ...systemRoutes(),
    ...callbackRoutes(),
  };
}
