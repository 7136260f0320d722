import { Screen } from '../components/ui';

export function HostedTab() {
  return <Screen title="Hosted tab">Not built yet.</Screen>;
}
