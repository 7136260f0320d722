import {
  useEffect,
  useId,
  useRef,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
} from 'react';
import { ApiError, messageOf } from '../api/errors';

/** A page of the console: its title (the one h1) and what it holds. */
export function Screen({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · DefensX ConnectWise`;
  }, [title]);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">{title}</h1>
      {intro ? <p className="intro">{intro}</p> : null}
      {children}
    </section>
  );
}

/** An error above a form or a table: the engine's message and the fields it names. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      {messageOf(error)}
    </div>
  );
}

/** A success or progress line, read out by screen readers when it changes. */
export function StatusLine({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="banner banner-ok" role="status">
      {children}
    </p>
  );
}

interface FieldProps {
  label: string;
  /** The API field this input sets: its error (from `error`) is shown under it. */
  field?: string;
  error?: unknown;
  hint?: ReactNode;
  children: (props: {
    id: string;
    /** The API's name of the field (`body.boardId`): where a health banner's link goes. */
    'data-field'?: string;
    'aria-invalid'?: boolean;
    'aria-describedby'?: string;
  }) => ReactNode;
}

/** A label, an input (`children` renders it with the ids), a hint and the API's error for it. */
export function Field({ label, field, error, hint, children }: FieldProps) {
  const id = useId();
  const message = field && error instanceof ApiError ? error.fieldError(field) : undefined;
  const described = [hint ? `${id}-hint` : '', message ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(field ? { 'data-field': field } : {}),
        ...(message ? { 'aria-invalid': true } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {message ? (
        <p className="field-error" id={`${id}-error`}>
          {message}
        </p>
      ) : null}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> & {
  label: string;
  field?: string;
  error?: unknown;
  hint?: ReactNode;
  onValue: (value: string) => void;
};

export function TextField({ label, field, error, hint, onValue, ...input }: InputProps) {
  return (
    <Field label={label} field={field} error={error} hint={hint}>
      {(ids) => <input {...input} {...ids} onChange={(e) => onValue(e.target.value)} />}
    </Field>
  );
}

/**
 * A number, kept as typed ('' = left out, the API's default): sent as it is, so the API judges it
 * and names the field when it refuses it.
 */
export function NumberField({
  step = '1',
  inputMode = 'numeric',
  ...rest
}: Omit<InputProps, 'type'>) {
  return <TextField {...rest} type="number" inputMode={inputMode} step={step} />;
}

export interface Option {
  value: string;
  label: string;
  disabled?: boolean;
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange'> & {
  label: string;
  field?: string;
  error?: unknown;
  hint?: ReactNode;
  options: Option[];
  /** A first option with the value '' (e.g. "— none —"). */
  empty?: string;
  onValue: (value: string) => void;
};

export function SelectField({
  label,
  field,
  error,
  hint,
  options,
  empty,
  onValue,
  ...select
}: SelectProps) {
  return (
    <Field label={label} field={field} error={error} hint={hint}>
      {(ids) => (
        <select {...select} {...ids} onChange={(e) => onValue(e.target.value)}>
          {empty !== undefined ? <option value="">{empty}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A switch, with the API's error for its field (`field`, from `error`) under it. */
export function Toggle({
  label,
  checked,
  onValue,
  field,
  error,
}: {
  label: string;
  checked: boolean;
  onValue: (v: boolean) => void;
  field?: string;
  error?: unknown;
}) {
  const id = useId();
  const message = field && error instanceof ApiError ? error.fieldError(field) : undefined;
  return (
    <div className="toggle">
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={checked}
        onChange={(e) => onValue(e.target.checked)}
        {...(message ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {})}
      />
      <label htmlFor={id}>{label}</label>
      {message ? (
        <p className="field-error" id={`${id}-error`}>
          {message}
        </p>
      ) : null}
    </div>
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  busy?: boolean;
  kind?: 'primary' | 'secondary' | 'danger';
};

/** A button that says it is working (and cannot be pressed twice) while `busy`. */
export function Button({
  busy = false,
  kind = 'secondary',
  children,
  disabled,
  ...rest
}: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      className={`button button-${kind}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {children}
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
    </button>
  );
}

/**
 * A modal dialog (the native element: focus kept inside, Escape closes it). Its last button closes
 * it: "Close", or `closeLabel` (e.g. "Cancel" beside the dialog's own choices).
 */
export function Dialog({
  title,
  open,
  onClose,
  closeLabel = 'Close',
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  closeLabel?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
      <div className="dialog-actions">
        <Button onClick={onClose}>{closeLabel}</Button>
      </div>
    </dialog>
  );
}

/** A date-time as the partner's browser shows it. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  return <time dateTime={at}>{new Date(at).toLocaleString()}</time>;
}
