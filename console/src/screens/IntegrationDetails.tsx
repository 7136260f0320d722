import { Screen } from '../components/ui';

export function IntegrationDetails() {
  return <Screen title="Integration details">Not built yet.</Screen>;
}
