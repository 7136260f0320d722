import type { ComponentType } from 'react';
import { CompanyMapping } from './screens/CompanyMapping';
import { HostedTab } from './screens/HostedTab';
import { IntegrationDetails } from './screens/IntegrationDetails';
import { Billing } from './screens/Billing';
import { Status } from './screens/Status';
import { Tickets } from './screens/Tickets';

/** The screens in the seed's order and words: the navigation and the routes. */
export const screens: ReadonlyArray<{ path: string; label: string; component: ComponentType }> = [
  { path: '/integration', label: 'Integration details', component: IntegrationDetails },
  { path: '/company-mapping', label: 'Company Mapping', component: CompanyMapping },
  { path: '/tickets', label: 'Service Ticket Integration', component: Tickets },
  { path: '/billing', label: 'Agreement Mapping for Billing', component: Billing },
  { path: '/status', label: 'Status', component: Status },
  { path: '/hosted-tab', label: 'Hosted tab', component: HostedTab },
];
