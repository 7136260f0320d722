import { ok } from '../api/client';
import type { paths } from '../api/schema';
import { usePartner } from '../partner';
import { Button } from './ui';
import { useLoad } from './use-load';

type Issue =
  paths['/partners/{partnerId}/connectwise/health-issues']['get']['responses'][200]['content']['application/json']['issues'][number];
export type HealthKind = Issue['kind'];

/**
 * The open health issues of `kinds`, on the screen where they are fixed: what is wrong, the fix,
 * and, where a field of this screen is the fix (`fields`), a button that takes you to it (the
 * input marked `data-field`). Nothing when there is none (or no integration yet).
 */
export function HealthBanner({
  kinds,
  fields = {},
}: {
  kinds: readonly HealthKind[];
  fields?: Partial<Record<HealthKind, string>>;
}) {
  const { api, path } = usePartner();
  const issues = useLoad(
    () =>
      ok(
        api.GET('/partners/{partnerId}/connectwise/health-issues', {
          params: { path, query: { state: 'open', pageSize: 200 } },
        }),
      ).then(
        (answer) => answer.issues.filter((i) => kinds.includes(i.kind)),
        () => [] as Issue[],
      ),
    [api, path.partnerId, kinds.join()],
  );
  if (!issues.data?.length) return null;
  return (
    <div className="banner banner-warn health-banner" role="status" aria-label="Health issues here">
      {issues.data.map((issue) => {
        const field = fields[issue.kind];
        return (
          <div key={issue.id} className="health-banner-issue">
            <p>{issue.message}</p>
            <p className="fix">Fix: {issue.fix}</p>
            {field ? (
              <Button
                onClick={() =>
                  document.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus()
                }
              >
                Go to the field
              </Button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
