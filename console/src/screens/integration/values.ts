/** The integration as the API returns it, the ConnectWise servers offered, and the form's values. */
import type { paths } from '../../api/schema';
import { CLOUD_REGIONS as ENGINE_REGIONS } from '../../engine-constants';

export type Integration =
  paths['/partners/{partnerId}/connectwise/integration']['get']['responses'][200]['content']['application/json'];

/** The cloud regions the API accepts as `site`; anything else is an on-premise base URL. */
const CLOUD_REGIONS = ENGINE_REGIONS.map((r) => ({
  value: r.value,
  label: `${r.label} (${r.host})`,
}));
export const ON_PREMISE = 'onprem';
export const SERVER_OPTIONS = [...CLOUD_REGIONS, { value: ON_PREMISE, label: 'On-Premise' }];

export const regionOf = (site: string) => CLOUD_REGIONS.find((r) => r.value === site.toLowerCase());
export const siteLabel = (site: string) => regionOf(site)?.label ?? site;

export interface Values {
  server: string;
  baseUrl: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
}

const siteOf = (v: Values) => (v.server === ON_PREMISE ? v.baseUrl.trim() : v.server);
export const credentialsOf = (v: Values) => ({
  site: siteOf(v),
  companyId: v.companyId.trim(),
  publicKey: v.publicKey.trim(),
  privateKey: v.privateKey.trim(),
});
export const keyOf = (v: Values) => JSON.stringify(credentialsOf(v));
