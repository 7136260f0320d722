/** The ticket settings form: its values, and how they come from and go to the API. */
import type { paths } from '../../api/schema';
import { SEVERITIES, type Severity } from './labels';

type SettingsPath = paths['/partners/{partnerId}/connectwise/ticket-settings'];
type Settings = SettingsPath['get']['responses'][200]['content']['application/json'];
type SettingsBody = NonNullable<SettingsPath['put']['requestBody']>['content']['application/json'];

/** The API's names of the fields this form shows (each error for one appears under it). */
export const FORM_FIELDS = [
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
export interface Form {
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

export function formOf(s: Settings): Form {
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
export function bodyOf(form: Form): SettingsBody {
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
