import { Screen } from '../components/ui';

export function CompanyMapping() {
  return <Screen title="Company Mapping">Not built yet.</Screen>;
}
