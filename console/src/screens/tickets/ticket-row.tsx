import { When } from '../../components/ui';
import { SEVERITY_LABEL, STATE_BADGE, STATES, type Ticket } from './labels';

/** The ticket as ConnectWise last showed it: status, owner, priority, and who closed it. */
function ConnectWiseState({ ticket: t }: { ticket: Ticket }) {
  const cw = t.connectWise;
  if (!cw) return null;
  const parts = [
    cw.status?.name ? `Status: ${cw.status.name}` : null,
    cw.owner ? `Owner: ${cw.owner.name ?? cw.owner.identifier}` : null,
    cw.priority?.name ? `Priority: ${cw.priority.name}` : null,
    cw.closed && cw.closedBy ? `Closed by ${cw.closedBy}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? <p className="hint">{parts.join(' · ')}</p> : null;
}

/** One security event's row: the event, its customer and severity, its ticket and its workflow. */
export function TicketRow({ ticket: t }: { ticket: Ticket }) {
  const label = STATES.find((s) => s.value === t.state)?.label ?? t.state;
  return (
    <tr>
      <td>
        {t.title}
        <br />
        <code>{t.key}</code>
      </td>
      <td>{t.customerId}</td>
      <td>{SEVERITY_LABEL[t.severity]}</td>
      <td>
        <span className={`badge ${STATE_BADGE[t.state]}`}>{label}</span>
        {t.reason ? <p className="hint">{t.reason}</p> : null}
        <ConnectWiseState ticket={t} />
      </td>
      <td>{t.ticketId == null ? '—' : `#${t.ticketId}`}</td>
      <td>{t.occurrences}</td>
      <td>
        <When at={t.lastSeen} />
      </td>
      <td>
        {t.temporalUiUrl ? (
          <a href={t.temporalUiUrl} target="_blank" rel="noopener noreferrer">
            Temporal UI<span className="visually-hidden"> for {t.key} (opens in a new tab)</span>
          </a>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}
