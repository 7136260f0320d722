/** Where the credentials form says what is wrong: beside a field, or above the buttons. */
import type { ConnectionReport } from '../../components/ConnectionReport';
import { ApiError } from '../../api/errors';

/**
 * What a failed report says about a field, as if the API had named it: the site not reached, the
 * company not found, or the keys not accepted (each in the report's own words).
 */
export function reportFieldError(report: ConnectionReport): ApiError | undefined {
  if (report.ok) return undefined;
  const first = report.problems[0] ?? 'Test Connection did not pass';
  const field = !report.site.reachable
    ? 'body.site'
    : !report.company.found
      ? 'body.companyId'
      : !report.authenticated
        ? 'body.privateKey'
        : undefined;
  if (!field) return undefined;
  return new ApiError(422, {
    error: { code: 'connection_test_failed', message: first, fields: [{ field, message: first }] },
  });
}

const FORM_FIELDS = ['body.site', 'body.companyId', 'body.publicKey', 'body.privateKey'];

/** An error whose every field is shown next to an input: said above the buttons only in short. */
export function placedOnly(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.fields.length > 0 &&
    error.fields.every((f) => FORM_FIELDS.includes(f.field))
  );
}
