import { ConnectionReportView, type ConnectionReport } from '../../components/ConnectionReport';
import { Dialog } from '../../components/ui';

/** A Test Connection report in a dialog. */
export function ReportDialog({
  report,
  open,
  onClose,
}: {
  report: ConnectionReport | undefined;
  open: boolean;
  onClose: () => void;
}) {
  return (
    <Dialog title="Test Connection" open={open} onClose={onClose}>
      {report ? <ConnectionReportView report={report} /> : null}
    </Dialog>
  );
}
