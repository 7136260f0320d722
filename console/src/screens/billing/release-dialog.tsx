import { Button, Dialog } from '../../components/ui';

/** What releasing an addition does, by the zero-usage policy. */
const RELEASE_TEXT: Record<string, string> = {
  zero: 'set to quantity 0',
  cancel: 'cancelled at the end of its period',
  leave: 'left open with its quantity (and listed in every run)',
};

/** Turning billing off: release the engine's additions (by the zero-usage policy) or leave them. */
export function ReleaseDialog({
  open,
  zeroUsage,
  onClose,
  onRelease,
}: {
  open: boolean;
  zeroUsage: string;
  onClose: () => void;
  onRelease: (release: boolean) => void;
}) {
  return (
    <Dialog title="Turn billing off?" open={open} onClose={onClose} closeLabel="Cancel">
      <p>
        Billing runs stop writing usage into ConnectWise. What should happen to the additions the
        engine bills (those it created or adopted)?
      </p>
      <ul>
        <li>
          <strong>Release</strong>: each one is {RELEASE_TEXT[zeroUsage] ?? 'released'} (the
          zero-usage policy &ldquo;{zeroUsage}&rdquo;), by the billing run this save queues.
        </li>
        <li>
          <strong>Leave</strong>: they stay as they are, billing their last quantity until someone
          changes them in ConnectWise.
        </li>
      </ul>
      <div className="actions">
        <Button kind="danger" onClick={() => onRelease(true)}>
          Release
        </Button>
        <Button kind="primary" onClick={() => onRelease(false)}>
          Leave
        </Button>
      </div>
    </Dialog>
  );
}
