import { ok } from '../api/client';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Button, Screen, StatusLine } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import { Steps } from './hosted-tab/steps';
import { HostedTabError, sameError } from './hosted-tab/tab-error';
import { useTabActions } from './hosted-tab/use-tab-actions';
import { Verification } from './hosted-tab/verification';
import './hosted-tab.css';

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
  const tab = useTabActions(verified.reload);
  const { busy, actionError, setActionError, done, setDone, confirming, setConfirming } = tab;

  const data = verified.data;
  const installed = data?.installed === true;

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
          onClick={() => void tab.install()}
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

      <ConfirmDialog
        title="Remove the DefensX tab?"
        open={confirming}
        onClose={() => {
          if (busy !== 'remove') setConfirming(false);
        }}
        confirm="Remove the tab"
        busy={busy === 'remove'}
        onConfirm={() => void tab.remove()}
      >
        <p>
          ConnectWise company screens stop showing the DefensX tab and its address stops working.
          Only the engine&rsquo;s own setup (named DefensX) is deleted; other hosted tabs stay. You
          can install it again later.
        </p>
      </ConfirmDialog>

      <Steps />
    </Screen>
  );
}
