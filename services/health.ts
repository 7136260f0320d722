import type { Logger } from '../config/logger';
import type { HealthChanges, Repositories } from '../db';
import type { HealthCheck, HealthFinding } from '../domain/health/issues';

/**
 * A check's health issues written, best effort: a database hiccup here never fails the run,
 * ticket step or request that found them (the next check writes them again). Logged when a
 * logger is at hand.
 */
export async function noteHealth(
  repos: Pick<Repositories, 'healthIssues'>,
  ids: { partnerId: string; integrationId: string },
  check: HealthCheck,
  findings: readonly HealthFinding[],
  logger?: Pick<Logger, 'warn'>,
): Promise<HealthChanges | undefined> {
  try {
    return await repos.healthIssues.observe(ids, check, findings);
  } catch (err) {
    logger?.warn(
      { err, integrationId: ids.integrationId, kinds: check.kinds },
      'health issues not updated; the next check writes them',
    );
    return undefined;
  }
}
