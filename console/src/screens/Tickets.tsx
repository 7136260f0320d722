import { Screen } from '../components/ui';

export function Tickets() {
  return <Screen title="Service Ticket Integration">Not built yet.</Screen>;
}
