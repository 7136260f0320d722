import type { RoleLineCheck } from '../connectwise';

/** The answer to Test Connection: what worked, and each problem in words an MSP can act on. */
export interface ConnectionReport {
  ok: boolean;
  testedAt: string;
  site: { value: string; apiOrigin?: string; reachable: boolean };
  company: {
    companyId: string;
    found: boolean;
    name?: string;
    codebase?: string;
    versionNumber?: string;
    isCloud?: boolean;
  };
  authenticated: boolean;
  /**
   * `timeZone`: ConnectWise's `serverTimeZone` (a Windows zone name), null when it did not say;
   * absent in reports saved before it was recorded.
   */
  server?: { version?: string; cloudRegion?: string; timeZone?: string | null };
  /** One row per line of the required security role (DESIGN.md), incl. Manage Hosted API. */
  role: RoleLineCheck[];
  problems: string[];
}
