import { useState } from 'react';
import { ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { usePartner } from '../../partner';

type Installed =
  paths['/partners/{partnerId}/connectwise/hosted-tab']['post']['responses'][200]['content']['application/json'];

const FIELD_LABELS: Record<Installed['changed'][number], string> = {
  screenId: 'screen',
  url: 'URL',
  origin: 'origin',
  type: 'type',
  disabledFlag: 'enabled',
};

function installMessage(result: Installed): string {
  if (result.action === 'created') {
    return `Installed: ConnectWise hosted setup ${result.setup.id} shows the DefensX tab on company screens.`;
  }
  const changed = result.changed.map((f) => FIELD_LABELS[f]).join(', ');
  return `Repaired hosted setup ${result.setup.id}${changed ? ` (changed: ${changed})` : ''}: it has a new install token, so the old tab address no longer works.`;
}

/**
 * Install (or repair) and remove the DefensX tab: which one runs, what it did or why it failed,
 * and the Remove confirmation; `reload` verifies the tab again after each.
 */
export function useTabActions(reload: () => Promise<void>) {
  const { api, path } = usePartner();
  const [busy, setBusy] = useState<'install' | 'remove' | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [confirming, setConfirming] = useState(false);

  async function install() {
    setBusy('install');
    setActionError(undefined);
    setDone(undefined);
    try {
      const result = await ok(
        api.POST('/partners/{partnerId}/connectwise/hosted-tab', { params: { path } }),
      );
      setDone(installMessage(result));
      await reload();
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
      await reload();
    } catch (err) {
      setConfirming(false);
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  }

  return {
    busy,
    actionError,
    setActionError,
    done,
    setDone,
    confirming,
    setConfirming,
    install,
    remove,
  };
}
