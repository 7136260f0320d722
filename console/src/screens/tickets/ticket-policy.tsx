import { NumberField, Toggle } from '../../components/ui';
import { TICKET_POLICY_DEFAULTS as DEFAULTS } from '../../engine-constants';
import type { Form } from './form';

/** The ticket policy fieldset: customer notifications and the note, reopen, age and poll windows. */
export function TicketPolicy({
  form,
  set,
  error,
}: {
  form: Form;
  set: (change: Partial<Form>) => void;
  error: unknown;
}) {
  return (
    <fieldset>
      <legend>Ticket policy</legend>
      <div className="policy">
        <Toggle
          label="Send ConnectWise notifications to the customer"
          field="body.processNotifications"
          error={error}
          checked={form.processNotifications}
          onValue={(processNotifications) => set({ processNotifications })}
        />
        <p className="hint">
          Default: off (automated security tickets do not email the customer's contact).
        </p>
        <NumberField
          className="number"
          label="Note window (minutes)"
          field="body.noteWindowMinutes"
          error={error}
          value={form.noteWindowMinutes}
          hint={`Repeat reports of an open event become one ticket note per window. Default: ${DEFAULTS.noteWindowMinutes} minutes (1 to 1440).`}
          onValue={(noteWindowMinutes) => set({ noteWindowMinutes })}
        />
        <NumberField
          className="number"
          label="Reopen window (hours)"
          field="body.reopenWindowHours"
          error={error}
          value={form.reopenWindowHours}
          hint={`A report this soon after the resolve reopens the same ticket. Default: ${DEFAULTS.reopenWindowHours} (never reopen; 0 to 720).`}
          onValue={(reopenWindowHours) => set({ reopenWindowHours })}
        />
        <NumberField
          className="number"
          label="Maximum event age (hours)"
          field="body.maxEventAgeHours"
          error={error}
          value={form.maxEventAgeHours}
          hint={`An event held longer than this while no ticket can be created is recorded as expired. Default: ${DEFAULTS.maxEventAgeHours} hours (1 to 2160).`}
          onValue={(maxEventAgeHours) => set({ maxEventAgeHours })}
        />
        <NumberField
          className="number"
          label="Poll period (minutes)"
          field="body.pollMinutes"
          error={error}
          value={form.pollMinutes}
          hint={`Open tickets are read again this often, so a change a technician makes shows even when a ConnectWise callback is lost. Default: ${DEFAULTS.pollMinutes} minutes (1 to 1440).`}
          onValue={(pollMinutes) => set({ pollMinutes })}
        />
      </div>
    </fieldset>
  );
}
