import type { ReactNode } from 'react';
import { Button, Dialog } from './ui';

/** A dialog asking to confirm a destructive action: what it does, and one danger button. */
export function ConfirmDialog({
  title,
  open,
  onClose,
  confirm,
  busy,
  onConfirm,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  /** The danger button's text. */
  confirm: string;
  busy?: boolean;
  onConfirm: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      {children}
      <div className="actions">
        <Button kind="danger" busy={busy} onClick={onConfirm}>
          {confirm}
        </Button>
      </div>
    </Dialog>
  );
}
