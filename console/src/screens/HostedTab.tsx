import { useState } from 'react';
import { Link } from 'wouter';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import type { paths } from '../api/schema';
import { TableWrap } from '../components/table-wrap';
import { Button, Dialog, ErrorBanner, Screen, StatusLine } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import './hosted-tab.css';

type TabPath = paths['/partners/{partnerId}/connectwise/hosted-tab'];
type Verified = TabPath['get']['responses'][200]['content']['application/json'];
type Installed = TabPath['post']['responses'][200]['content']['application/json'];
type Check = Verified['checks'][number];

/** Each check of the verification in the console's words (the engine's message beside it). */
const CHECK_LABELS: Record<Check['name'], string> = {
  exists: 'Exists in ConnectWise',
  screen: 'On the Company screen',
  type: 'Shown as a tab',
  enabled: 'Enabled',
  url: 'URL (the engine\u2019s address, current install token)',
  origin: 'Origin (the engine\u2019s)',
};

const FIELD_LABELS: Record<Installed['changed'][number], string> = {
  screenId: 'screen',
  url: 'URL',
  origin: 'origin',
  type: 'type',
  disabledFlag: 'enabled',
};

/**
 * Hosted tab: install (or repair), verify and remove the DefensX tab on the ConnectWise Company
 * screen, and the steps for seeing it in ConnectWise.
 */
export function HostedTab() {
  const { api, path } = usePartner();
  const verified = useLoad(
    () => ok(api.GET('/partners/{partnerId}/connectwise/hosted-tab', { params: { path } })),
    [api, path],
  );
  const [busy, setBusy] = useState<'install' | 'remove' | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [confirming, setConfirming] = useState(false);

  const data = verified.data;
  const installed = data?.installed === true;

  async function install() {
    setBusy('install');
    setActionError(undefined);
    setDone(undefined);
    try {
      const result = await ok(
        api.POST('/partners/{partnerId}/connectwise/hosted-tab', { params: { path } }),
      );
      setDone(installMessage(result));
      await verified.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  }

  async function remove() {
    setBusy('remove');
    setActionError(undefined);
    setDone(undefined);
    try {
      const result = await ok(
        api.DELETE('/partners/{partnerId}/connectwise/hosted-tab', { params: { path } }),
      );
      setConfirming(false);
      setDone(
        result.removed
          ? `Removed: ConnectWise hosted setup ${result.setupId ?? ''} is deleted and its tab address no longer works.`
          : 'There was no DefensX tab to remove.',
      );
      await verified.reload();
    } catch (err) {
      setConfirming(false);
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Screen
      title="Hosted tab"
      intro="A DefensX tab on ConnectWise company screens: opened on a company, it shows the DefensX console's page of the customer mapped to that company."
    >
      <h2>DefensX tab in ConnectWise</h2>
      <StatusLine>{done}</StatusLine>
      <HostedTabError error={actionError} />
      {verified.error ? (
        // The same refusal as the action's is said once.
        sameError(verified.error, actionError) ? null : (
          <HostedTabError error={verified.error} />
        )
      ) : data ? (
        <Verification data={data} />
      ) : (
        <p role="status">Checking the tab in ConnectWise…</p>
      )}
      <div className="actions">
        <Button
          kind="primary"
          busy={busy === 'install'}
          disabled={busy !== undefined || (verified.loading && !data)}
          onClick={() => void install()}
        >
          {installed ? 'Repair' : 'Install'}
        </Button>
        <Button
          busy={verified.loading && busy === undefined}
          disabled={busy !== undefined}
          onClick={() => {
            setDone(undefined);
            setActionError(undefined);
            void verified.reload();
          }}
        >
          Verify
        </Button>
        {installed ? (
          <Button
            kind="danger"
            disabled={busy !== undefined}
            onClick={() => {
              setActionError(undefined);
              setConfirming(true);
            }}
          >
            Remove
          </Button>
        ) : null}
      </div>
      <p className="hint">
        {installed
          ? 'Repair writes the tab again with a new install token: ConnectWise gets the new address and the old tab address stops working (it shows a \u201cno longer installed\u201d page).'
          : 'Install adds the tab to the ConnectWise Company screen. Installing again (Repair) replaces its install token, so the old tab address stops working.'}
      </p>

      <Dialog
        title="Remove the DefensX tab?"
        open={confirming}
        onClose={() => {
          if (busy !== 'remove') setConfirming(false);
        }}
      >
        <p>
          ConnectWise company screens stop showing the DefensX tab and its address stops working.
          Only the engine&rsquo;s own setup (named DefensX) is deleted; other hosted tabs stay. You
          can install it again later.
        </p>
        <div className="actions">
          <Button kind="danger" busy={busy === 'remove'} onClick={() => void remove()}>
            Remove the tab
          </Button>
        </div>
      </Dialog>

      <Steps />
    </Screen>
  );
}

const sameError = (a: unknown, b: unknown) =>
  a instanceof ApiError && b instanceof ApiError && a.code === b.code && a.message === b.message;

function installMessage(result: Installed): string {
  if (result.action === 'created') {
    return `Installed: ConnectWise hosted setup ${result.setup.id} shows the DefensX tab on company screens.`;
  }
  const changed = result.changed.map((f) => FIELD_LABELS[f]).join(', ');
  return `Repaired hosted setup ${result.setup.id}${changed ? ` (changed: ${changed})` : ''}: it has a new install token, so the old tab address no longer works.`;
}

/** The verification: a summary, each check ok or its problem, and the setup as ConnectWise holds it. */
function Verification({ data }: { data: Verified }) {
  const summary = !data.installed
    ? { badge: 'badge-muted', text: 'Not installed' }
    : data.ok
      ? { badge: 'badge-ok', text: 'Installed, every check ok' }
      : { badge: 'badge-bad', text: 'Installed, needs repair' };
  return (
    <>
      <p className="hosted-summary">
        <span className={`badge ${summary.badge}`}>{summary.text}</span>
      </p>
      <TableWrap label="Verification of the DefensX tab">
        <table className="hosted-checks">
          <caption>Verification of the DefensX tab in ConnectWise</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {data.checks.map((c) => (
              <tr key={c.name}>
                <th scope="row">{CHECK_LABELS[c.name]}</th>
                <td>
                  <span className={`badge ${c.ok ? 'badge-ok' : 'badge-bad'}`}>
                    {c.ok ? 'ok' : 'problem'}
                  </span>
                </td>
                <td>
                  {c.message}
                  {c.expected !== undefined ? (
                    <dl className="hosted-diff">
                      <dt>Expected</dt>
                      <dd>
                        <code>{c.expected}</code>
                      </dd>
                      <dt>In ConnectWise</dt>
                      <dd>{c.actual ? <code>{c.actual}</code> : 'none'}</dd>
                    </dl>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {data.setup ? (
        <dl className="hosted-setup">
          <dt>Hosted setup</dt>
          <dd>
            {data.setup.description} (id {data.setup.id})
          </dd>
          <dt>Tab URL</dt>
          <dd>
            <code>{data.setup.url}</code>
            <span className="hint"> (the install token is hidden)</span>
          </dd>
          <dt>Origin</dt>
          <dd>{data.setup.origin ? <code>{data.setup.origin}</code> : 'none'}</dd>
        </dl>
      ) : null}
    </>
  );
}

/** An error of the tab's routes, with what to do about the ones a partner meets. */
function HostedTabError({ error }: { error: unknown }) {
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

/** The seed's steps for showing the tab in ConnectWise, and what the tab does not grant. */
function Steps() {
  return (
    <>
      <h2>Showing the tab in ConnectWise</h2>
      <ol className="hosted-steps">
        <li>
          Map each customer to its ConnectWise company on{' '}
          <Link href="/company-mapping">Company Mapping</Link>: the tab shows the customer mapped to
          the company it is opened on (an unmapped company shows how to map it).
        </li>
        <li>
          Press <strong>Install</strong> above. The API member&rsquo;s security role needs System
          &rarr; Table Setup with the customize item &ldquo;Manage Hosted API&rdquo; allowed.
        </li>
        <li>
          In ConnectWise, open <strong>Companies &rarr; Company</strong> and open a company: the{' '}
          <strong>DefensX</strong> tab is among its tabs (reload a company screen that was open
          during the install).
        </li>
        <li>
          Click the DefensX tab: it opens the DefensX console&rsquo;s page of that company&rsquo;s
          customer.
        </li>
      </ol>
      <p>
        ConnectWise lists the tab under System &rarr; Setup Tables &rarr; Hosted API as{' '}
        <strong>DefensX</strong>; the engine finds its own tab by that name, so keep it, and use
        Repair here rather than editing it there.
      </p>
      <p className="banner banner-warn">
        The tab grants no access by itself: its address only says which partner&rsquo;s company
        mapping to read, and the DefensX console it opens keeps its own sign-in.
      </p>
    </>
  );
}
