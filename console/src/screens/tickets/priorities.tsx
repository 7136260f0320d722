import { SelectField, type Option } from '../../components/ui';
import type { Form } from './form';
import { SEVERITIES, SEVERITY_LABEL } from './labels';

/** The ConnectWise priority chosen for each severity of a security event. */
export function Priorities({
  form,
  set,
  error,
  options,
}: {
  form: Form;
  set: (change: Partial<Form>) => void;
  error: unknown;
  options: Option[];
}) {
  return (
    <fieldset>
      <legend>Priority for each severity</legend>
      <div className="priority-grid">
        {SEVERITIES.map((severity) => (
          <SelectField
            key={severity}
            label={SEVERITY_LABEL[severity]}
            field={`body.priorityBySeverity.${severity}`}
            error={error}
            value={form.priorities[severity]}
            empty="ConnectWise default"
            options={options}
            onValue={(value) => set({ priorities: { ...form.priorities, [severity]: value } })}
          />
        ))}
      </div>
    </fieldset>
  );
}
