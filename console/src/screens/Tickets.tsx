import { HealthBanner } from '../components/health-banner';
import { Screen } from '../components/ui';
import { TicketList } from './tickets/ticket-list';
import { TicketSettings } from './tickets/settings';
import './tickets.css';

/** Service Ticket Integration: the ticket configuration, then the security events' tickets. */
export function Tickets() {
  return (
    <Screen
      title="Service Ticket Integration"
      intro="Each DefensX security event opens a ticket on a ConnectWise service board, and closes it when the event is resolved."
    >
      <HealthBanner
        kinds={[
          'ticket_setting_unusable',
          'callback_missing',
          'callback_unverified',
          'events_held',
        ]}
        fields={{ ticket_setting_unusable: 'body.boardId' }}
      />
      <TicketSettings />
      <TicketList />
    </Screen>
  );
}
