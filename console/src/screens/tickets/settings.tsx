import { useEffect, useState, type FormEvent } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import {
  Button,
  ErrorBanner,
  SelectField,
  StatusLine,
  Toggle,
  type Option,
} from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { usePartner } from '../../partner';
import { FORM_FIELDS, bodyOf, formOf, type Form } from './form';
import { Priorities } from './priorities';
import { TicketPolicy } from './ticket-policy';

/** The ticket configuration form: board, source, statuses, priorities and the ticket policy. */
export function TicketSettings() {
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
      <Priorities form={form} set={set} error={saveError} options={priorityOptions} />
      <TicketPolicy form={form} set={set} error={saveError} />
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
