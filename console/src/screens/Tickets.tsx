import { HealthBanner } from '../components/health-banner';
import { useEffect, useState, type FormEvent } from 'react';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import type { paths } from '../api/schema';
import { Pager, useCursorPages } from '../components/paging';
import {
  Button,
  ErrorBanner,
  NumberField,
  Screen,
  SelectField,
  StatusLine,
  Toggle,
  When,
  type Option,
} from '../components/ui';
import { TableWrap } from '../components/table-wrap';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import './tickets.css';
import { TICKET_POLICY_DEFAULTS } from '../engine-constants';

type SettingsPath = paths['/partners/{partnerId}/connectwise/ticket-settings'];
type Settings = SettingsPath['get']['responses'][200]['content']['application/json'];
type SettingsBody = NonNullable<SettingsPath['put']['requestBody']>['content']['application/json'];
type Severity = keyof Settings['priorityBySeverity'];
type TicketsPath = paths['/partners/{partnerId}/connectwise/tickets']['get'];
type TicketState = NonNullable<NonNullable<TicketsPath['parameters']['query']>['state']>;
type Ticket = TicketsPath['responses'][200]['content']['application/json']['tickets'][number];

/** The severities a security event has (the API's priorityBySeverity keys), lowest first. */
const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
const SEVERITY_LABEL: Record<Severity, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};
const STATES: Array<{ value: TicketState; label: string }> = [
  { value: 'pending', label: 'Pending' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'closed_in_connectwise', label: 'Closed in ConnectWise' },
  { value: 'deleted_in_connectwise', label: 'Deleted in ConnectWise' },
  { value: 'skipped', label: 'Skipped' },
  { value: 'failed', label: 'Failed' },
  { value: 'expired', label: 'Expired' },
];
const STATE_BADGE: Record<TicketState, string> = {
  pending: 'badge-warn',
  open: 'badge-ok',
  resolved: 'badge-muted',
  closed_in_connectwise: 'badge-muted',
  deleted_in_connectwise: 'badge-warn',
  skipped: 'badge-muted',
  failed: 'badge-bad',
  expired: 'badge-bad',
};
/** The engine's defaults for the ticket policy. */
const DEFAULTS = TICKET_POLICY_DEFAULTS;

/** The API's names of the fields this form shows (each error for one appears under it). */
const FORM_FIELDS = [
  'body.enabled',
  'body.boardId',
  'body.sourceId',
  'body.initialStatusId',
  'body.closingStatusId',
  ...SEVERITIES.map((severity) => `body.priorityBySeverity.${severity}`),
  'body.processNotifications',
  'body.noteWindowMinutes',
  'body.reopenWindowHours',
  'body.maxEventAgeHours',
  'body.pollMinutes',
];

/** The form: ids as strings ('' = none chosen), numbers as typed. */
interface Form {
  enabled: boolean;
  boardId: string;
  sourceId: string;
  initialStatusId: string;
  closingStatusId: string;
  priorities: Record<Severity, string>;
  processNotifications: boolean;
  noteWindowMinutes: string;
  reopenWindowHours: string;
  maxEventAgeHours: string;
  pollMinutes: string;
}

const idText = (id: number | null | undefined) => (id == null ? '' : String(id));

function formOf(s: Settings): Form {
  return {
    enabled: s.enabled,
    boardId: idText(s.boardId),
    sourceId: idText(s.sourceId),
    initialStatusId: idText(s.initialStatusId),
    closingStatusId: idText(s.closingStatusId),
    priorities: {
      low: idText(s.priorityBySeverity.low),
      medium: idText(s.priorityBySeverity.medium),
      high: idText(s.priorityBySeverity.high),
      critical: idText(s.priorityBySeverity.critical),
    },
    processNotifications: s.processNotifications,
    noteWindowMinutes: String(s.noteWindowMinutes),
    reopenWindowHours: String(s.reopenWindowHours),
    maxEventAgeHours: String(s.maxEventAgeHours),
    pollMinutes: String(s.pollMinutes),
  };
}

/** What the form sends: a field left blank is left out (an id: none; a number: its default). */
function bodyOf(form: Form): SettingsBody {
  const id = (v: string) => (v === '' ? undefined : Number(v));
  const priorityBySeverity: SettingsBody['priorityBySeverity'] = {};
  for (const severity of SEVERITIES) {
    const value = id(form.priorities[severity]);
    if (value !== undefined) priorityBySeverity[severity] = value;
  }
  return {
    enabled: form.enabled,
    boardId: id(form.boardId),
    sourceId: id(form.sourceId),
    initialStatusId: id(form.initialStatusId),
    closingStatusId: id(form.closingStatusId),
    priorityBySeverity,
    processNotifications: form.processNotifications,
    noteWindowMinutes: id(form.noteWindowMinutes.trim()),
    reopenWindowHours: id(form.reopenWindowHours.trim()),
    maxEventAgeHours: id(form.maxEventAgeHours.trim()),
    pollMinutes: id(form.pollMinutes.trim()),
  };
}

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

function TicketSettings() {
  const { api, path } = usePartner();
  const params = { params: { path } };
  const loaded = useLoad(async () => {
    const [settings, boards, sources, priorities] = await Promise.all([
      ok(api.GET('/partners/{partnerId}/connectwise/ticket-settings', params)),
      ok(api.GET('/partners/{partnerId}/connectwise/boards', params)),
      ok(api.GET('/partners/{partnerId}/connectwise/sources', params)),
      ok(api.GET('/partners/{partnerId}/connectwise/priorities', params)),
    ]);
    return {
      settings,
      boards: boards.boards,
      sources: sources.sources,
      priorities: priorities.priorities,
    };
  }, [api, path.partnerId]);
  const [form, setForm] = useState<Form>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState('');

  useEffect(() => {
    if (loaded.data && !form) setForm(formOf(loaded.data.settings));
  }, [loaded.data, form]);

  const boardId = form?.boardId ?? '';
  const statuses = useLoad(async () => {
    if (!boardId) return [];
    const data = await ok(
      api.GET('/partners/{partnerId}/connectwise/boards/{boardId}/statuses', {
        params: { path: { ...path, boardId: Number(boardId) } },
      }),
    );
    return data.statuses.filter((s) => !s.inactive);
  }, [api, path.partnerId, boardId]);

  if (loaded.error && !loaded.data) return <ErrorBanner error={loaded.error} />;
  if (!loaded.data || !form) return <p role="status">Loading the ticket settings…</p>;
  const { boards, sources, priorities } = loaded.data;

  const set = (change: Partial<Form>) => {
    setForm({ ...form, ...change });
    setSaved('');
  };
  const statusList = statuses.data ?? [];
  const statusOptions = (closed: boolean): Option[] =>
    statusList
      .filter((s) => s.closedStatus === closed)
      .map((s) => ({ value: String(s.id), label: s.name }));
  const priorityOptions: Option[] = priorities.map((p) => ({
    value: String(p.id),
    label: p.name,
  }));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(undefined);
    setSaved('');
    try {
      const answer = await ok(
        api.PUT('/partners/{partnerId}/connectwise/ticket-settings', {
          params: { path },
          body: bodyOf(form),
        }),
      );
      setForm(formOf(answer));
      setSaved(
        answer.enabled
          ? 'Ticket configuration saved: new security events open tickets on this board.'
          : 'Ticket configuration saved: ticket integration is off.',
      );
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };

  // Errors the API names by a field of this form go next to it; anything else above the button.
  const onForm = (field: string) =>
    FORM_FIELDS.some((f) => field === f || field.startsWith(`${f}.`));
  const placed =
    saveError instanceof ApiError &&
    saveError.fields.length > 0 &&
    saveError.fields.every((f) => onForm(f.field));

  return (
    <form className="form ticket-settings" onSubmit={(e) => void save(e)} noValidate>
      <Toggle
        label="Create tickets for security events"
        field="body.enabled"
        error={saveError}
        checked={form.enabled}
        onValue={(enabled) => set({ enabled })}
      />
      <SelectField
        label="Service Board"
        field="body.boardId"
        error={saveError}
        value={form.boardId}
        empty="— choose a board —"
        options={boards.map((b) => ({ value: String(b.id), label: b.name }))}
        onValue={(value) => set({ boardId: value, initialStatusId: '', closingStatusId: '' })}
      />
      <SelectField
        label="Source"
        field="body.sourceId"
        error={saveError}
        value={form.sourceId}
        empty="— choose a source —"
        options={sources.map((s) => ({ value: String(s.id), label: s.name }))}
        onValue={(sourceId) => set({ sourceId })}
      />
      <SelectField
        label="Initial Status"
        field="body.initialStatusId"
        error={saveError}
        value={form.initialStatusId}
        empty={form.boardId ? '— choose a status —' : '— choose a board first —'}
        hint="The status a new ticket opens with (the board's open statuses)."
        options={statusOptions(false)}
        disabled={!form.boardId || statuses.loading}
        onValue={(initialStatusId) => set({ initialStatusId })}
      />
      <SelectField
        label="Closing Status"
        field="body.closingStatusId"
        error={saveError}
        value={form.closingStatusId}
        empty={form.boardId ? '— choose a status —' : '— choose a board first —'}
        hint="The status a resolved event closes its ticket with (the board's closed statuses only)."
        options={statusOptions(true)}
        disabled={!form.boardId || statuses.loading}
        onValue={(closingStatusId) => set({ closingStatusId })}
      />
      {statuses.error ? <ErrorBanner error={statuses.error} /> : null}
      <fieldset>
        <legend>Priority for each severity</legend>
        <div className="priority-grid">
          {SEVERITIES.map((severity) => (
            <SelectField
              key={severity}
              label={SEVERITY_LABEL[severity]}
              field={`body.priorityBySeverity.${severity}`}
              error={saveError}
              value={form.priorities[severity]}
              empty="ConnectWise default"
              options={priorityOptions}
              onValue={(value) => set({ priorities: { ...form.priorities, [severity]: value } })}
            />
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Ticket policy</legend>
        <div className="policy">
          <Toggle
            label="Send ConnectWise notifications to the customer"
            field="body.processNotifications"
            error={saveError}
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
            error={saveError}
            value={form.noteWindowMinutes}
            hint={`Repeat reports of an open event become one ticket note per window. Default: ${DEFAULTS.noteWindowMinutes} minutes (1 to 1440).`}
            onValue={(noteWindowMinutes) => set({ noteWindowMinutes })}
          />
          <NumberField
            className="number"
            label="Reopen window (hours)"
            field="body.reopenWindowHours"
            error={saveError}
            value={form.reopenWindowHours}
            hint={`A report this soon after the resolve reopens the same ticket. Default: ${DEFAULTS.reopenWindowHours} (never reopen; 0 to 720).`}
            onValue={(reopenWindowHours) => set({ reopenWindowHours })}
          />
          <NumberField
            className="number"
            label="Maximum event age (hours)"
            field="body.maxEventAgeHours"
            error={saveError}
            value={form.maxEventAgeHours}
            hint={`An event held longer than this while no ticket can be created is recorded as expired. Default: ${DEFAULTS.maxEventAgeHours} hours (1 to 2160).`}
            onValue={(maxEventAgeHours) => set({ maxEventAgeHours })}
          />
          <NumberField
            className="number"
            label="Poll period (minutes)"
            field="body.pollMinutes"
            error={saveError}
            value={form.pollMinutes}
            hint={`Open tickets are read again this often, so a change a technician makes shows even when a ConnectWise callback is lost. Default: ${DEFAULTS.pollMinutes} minutes (1 to 1440).`}
            onValue={(pollMinutes) => set({ pollMinutes })}
          />
        </div>
      </fieldset>
      {saveError && !placed ? <ErrorBanner error={saveError} /> : null}
      {placed ? (
        <p className="banner banner-error" role="alert">
          The ticket configuration was not saved: see the fields marked above.
        </p>
      ) : null}
      <div className="actions">
        <Button type="submit" kind="primary" busy={saving}>
          Save Ticket Configuration
        </Button>
      </div>
      <StatusLine>{saved}</StatusLine>
    </form>
  );
}

function TicketList() {
  const { api, path } = usePartner();
  const [state, setState] = useState<TicketState | ''>('');
  const pages = useCursorPages(
    async (cursor) => {
      const data = await ok(
        api.GET('/partners/{partnerId}/connectwise/tickets', {
          params: {
            path,
            query: { ...(state ? { state } : {}), ...(cursor ? { cursor } : {}), pageSize: 20 },
          },
        }),
      );
      return { items: data.tickets, nextCursor: data.nextCursor };
    },
    [api, path.partnerId, state],
  );
  const tickets = pages.items;
  const waiting = tickets?.some((t) => t.state === 'pending' && !t.reason) ?? false;
  const { reload } = pages;

  // While a ticket is being created, look again every few seconds.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => void reload(), 2000);
    return () => clearTimeout(timer);
  }, [waiting, reload, tickets]);

  return (
    <section aria-labelledby="ticket-list-title" className="ticket-list">
      <h2 id="ticket-list-title">Tickets</h2>
      <div className="actions">
        <SelectField
          label="State"
          value={state}
          empty="All states"
          options={STATES}
          onValue={(v) => setState(v as TicketState | '')}
        />
        <Button onClick={() => void reload()} busy={pages.loading}>
          Refresh
        </Button>
      </div>
      <ErrorBanner error={pages.error} />
      {tickets && tickets.length === 0 ? (
        <p>No security events{state ? ' in this state' : ''} yet.</p>
      ) : null}
      {tickets && tickets.length > 0 ? (
        <TableWrap label="Security events and their tickets">
          <table>
            <caption className="visually-hidden">Security events and their tickets</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Customer</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">ConnectWise ticket</th>
                <th scope="col">Reports</th>
                <th scope="col">Last seen</th>
                <th scope="col">Workflow</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((t) => (
                <TicketRow key={t.key} ticket={t} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <Pager pages={pages} what="tickets" />
    </section>
  );
}

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

function TicketRow({ ticket: t }: { ticket: Ticket }) {
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
