import { Screen } from '../components/ui';

export function Status() {
  return <Screen title="Status">Not built yet.</Screen>;
}
