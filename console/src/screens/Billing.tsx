import { Screen } from '../components/ui';

export function Billing() {
  return <Screen title="Agreement Mapping for Billing">Not built yet.</Screen>;
}
