import { Link } from 'wouter';
import { ApiError } from '../../api/errors';
import { ErrorBanner } from '../../components/ui';

/** Whether two errors are the same refusal (said once, not twice). */
export const sameError = (a: unknown, b: unknown) =>
  a instanceof ApiError && b instanceof ApiError && a.code === b.code && a.message === b.message;

/** An error of the tab's routes, with what to do about the ones a partner meets. */
export function HostedTabError({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div className="banner banner-error" role="alert">
        There is no ConnectWise integration yet: create it on{' '}
        <Link href="/integration">Integration details</Link> first.
      </div>
    );
  }
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <>
      <ErrorBanner error={error} />
      {code === 'connectwise_hosted_api_denied' ? (
        <p className="hint">
          Grant &ldquo;Manage Hosted API&rdquo; to the API member&rsquo;s security role in
          ConnectWise, then press Install again.
        </p>
      ) : null}
      {code === 'hosted_tab_not_configured' ? (
        <p className="hint">
          The tab cannot be installed on this engine until its operator sets{' '}
          <code>PUBLIC_BASE_URL</code> (the address browsers reach the engine at).
        </p>
      ) : null}
    </>
  );
}
