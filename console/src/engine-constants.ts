/**
 * What the console shows of the engine's own rules, which the API does not describe: the cloud
 * regions `site` accepts (connectwise/site.ts CLOUD_REGIONS) and the ticket policy's defaults
 * (domain/tickets/settings.ts TICKET_DEFAULTS). test/api/console-constants.test.ts fails when
 * they differ from the engine's.
 */
export const CLOUD_REGIONS = [
  { value: 'na', label: 'North America', host: 'api-na.myconnectwise.net' },
  { value: 'eu', label: 'Europe', host: 'api-eu.myconnectwise.net' },
  { value: 'au', label: 'Asia Pacific', host: 'api-au.myconnectwise.net' },
  { value: 'aus', label: 'Australia', host: 'api-aus.myconnectwise.net' },
  { value: 'za', label: 'South Africa', host: 'api-za.myconnectwise.net' },
  { value: 'staging', label: 'Staging', host: 'api-staging.connectwisedev.com' },
] as const;

export const TICKET_POLICY_DEFAULTS = {
  noteWindowMinutes: 15,
  reopenWindowHours: 0,
  maxEventAgeHours: 168,
  pollMinutes: 15,
  processNotifications: false,
} as const;
