import { z } from 'zod';
import type { ConnectWiseClient, RequestOptions } from '../client';
import { isConnectWiseError } from '../errors';
import {
  combineRoleChecks,
  evaluateRole,
  type RoleLineCheck,
  type RoleLineEvaluation,
  type RoleProbeResult,
} from '../role-check';
import { REQUIRED_SECURITY_ROLE, type SecurityRoleLine } from '../security-role';
import {
  mySecurityCustomizeItemSchema,
  mySecuritySchema,
  type MySecurity,
  type MySecurityCustomizeItem,
} from '../schemas/system';

export async function getMySecurity(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<MySecurity[]> {
  return await client.listAll('/system/mySecurity', mySecuritySchema, {}, options);
}

/** Trailing slash as in the contract. */
export async function getMyCustomizeItems(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<MySecurityCustomizeItem[]> {
  return await client.listAll(
    '/system/mySecurity/customizeItems/',
    mySecurityCustomizeItemSchema,
    {},
    options,
  );
}

const anyRow = z.looseObject({});

/**
 * Runs every read-only probe of the given lines, one at a time (they are few, and ConnectWise
 * tenants prefer few requests in flight). A 403 is `refused`; an authentication failure is thrown
 * because it says nothing about the role.
 */
export async function runRoleProbes(
  client: ConnectWiseClient,
  lines: readonly SecurityRoleLine[] = REQUIRED_SECURITY_ROLE,
  options?: RequestOptions,
): Promise<RoleProbeResult[]> {
  const results: RoleProbeResult[] = [];
  for (const line of lines) {
    for (const probe of line.probes) {
      try {
        if (probe.method === 'count') await client.count(probe.path, {}, options);
        else await client.listPage(probe.path, anyRow, { pageSize: 1 }, options);
        results.push({ lineKey: line.key, probe, outcome: 'ok' });
      } catch (err) {
        if (!isConnectWiseError(err) || err.kind === 'authentication') throw err;
        results.push({
          lineKey: line.key,
          probe,
          outcome: err.kind === 'permission' ? 'refused' : 'failed',
          message: err.message,
        });
      }
    }
  }
  return results;
}

/** mySecurity + customize items, or null when ConnectWise refuses to show them (403). */
export async function readRoleEvaluation(
  client: ConnectWiseClient,
  lines: readonly SecurityRoleLine[] = REQUIRED_SECURITY_ROLE,
  options?: RequestOptions,
): Promise<RoleLineEvaluation[] | null> {
  try {
    const rows = await getMySecurity(client, options);
    const items = await getMyCustomizeItems(client, options);
    return evaluateRole(rows, items, lines);
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'permission') return null;
    throw err;
  }
}

/** The whole role check of Test Connection (docs/connectwise.md §6 steps 4–5), line by line. */
export async function checkSecurityRole(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<RoleLineCheck[]> {
  const evaluation = await readRoleEvaluation(client, REQUIRED_SECURITY_ROLE, options);
  const probes = await runRoleProbes(client, REQUIRED_SECURITY_ROLE, options);
  return combineRoleChecks(evaluation, probes);
}
