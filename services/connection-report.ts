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
  server?: { version?: string; cloudRegion?: string };
  /** One row per line of the required security role (DESIGN.md), incl. Manage Hosted API. */
  role: RoleLineCheck[];
  problems: string[];
}
