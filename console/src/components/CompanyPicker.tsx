import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { ok } from '../api/client';
import { ApiError } from '../api/errors';
import type { paths } from '../api/schema';
import { usePartner } from '../partner';
import './company-picker.css';

export type CompanyResult =
  paths['/partners/{partnerId}/connectwise/companies']['get']['responses'][200]['content']['application/json']['companies'][number];

const DEBOUNCE_MS = 300;
const PAGE_SIZE = 10;

/**
 * A search box over the partner's ConnectWise companies (GET …/companies, debounced) with its
 * results as a listbox: the ARIA combobox pattern, so arrows, Enter and Escape work and a screen
 * reader announces the highlighted company.
 */
export function CompanyPicker({
  label,
  onPick,
  describedBy,
  invalid,
}: {
  /** The input's accessible label (e.g. "Search ConnectWise companies for Acme"). */
  label: string;
  onPick: (company: CompanyResult) => void;
  describedBy?: string;
  invalid?: boolean;
}) {
  const { api, path } = usePartner();
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState('');
  const [results, setResults] = useState<CompanyResult[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<unknown>();
  const latest = useRef(0);

  useEffect(() => {
    const search = text.trim();
    const call = ++latest.current;
    if (!search) {
      setResults([]);
      setSearching(false);
      setError(undefined);
      return;
    }
    setSearching(true);
    const timer = setTimeout(() => {
      ok(
        api.GET('/partners/{partnerId}/connectwise/companies', {
          params: { path, query: { search, pageSize: PAGE_SIZE } },
        }),
      ).then(
        (page) => {
          if (call !== latest.current) return;
          setResults(page.companies);
          setHasMore(page.hasMore);
          setActive(-1);
          setError(undefined);
          setSearching(false);
        },
        (err: unknown) => {
          if (call !== latest.current) return;
          setResults([]);
          setError(err);
          setSearching(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, api, path]);

  const pick = (company: CompanyResult) => {
    onPick(company);
    setText('');
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, results.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      // No option to move to: nothing highlighted (an id of no element would be announced).
      setActive((a) => (results.length === 0 ? -1 : Math.max(a - 1, 0)));
    } else if (e.key === 'Enter') {
      // Enter picks the highlighted company; it never submits the form around the picker.
      e.preventDefault();
      const company = open ? results[active] : undefined;
      if (company) pick(company);
    } else if (e.key === 'Escape') {
      if (open) e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const message =
    error instanceof ApiError ? (error.fieldError('query.search') ?? error.message) : undefined;
  const showList = open && text.trim() !== '';
  const optionId = (i: number) => `${id}-option-${i}`;
  const errorId = `${id}-error`;
  const described = [describedBy, message ? errorId : ''].filter(Boolean).join(' ') || undefined;

  return (
    <div className="company-picker">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList && results.length > 0}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? optionId(active) : undefined}
        aria-describedby={described}
        aria-invalid={invalid || message ? true : undefined}
        placeholder="Search companies…"
        autoComplete="off"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label={`Companies matching “${text.trim()}”`}
        className="company-options"
        hidden={!showList || results.length === 0}
      >
        {results.map((c, i) => (
          <li
            key={c.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // Keep the focus in the input: the click picks, the blur would close the list first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(c)}
          >
            {c.name} <span className="option-meta">{c.identifier}</span>
          </li>
        ))}
      </ul>
      {showList ? (
        <p className="picker-note" role="status">
          {searching
            ? 'Searching…'
            : message
              ? ''
              : results.length === 0
                ? 'No company matches.'
                : `${results.length}${hasMore ? '+' : ''} compan${results.length === 1 ? 'y' : 'ies'}: arrows to choose, Enter to pick.`}
        </p>
      ) : null}
      {message ? (
        <p className="field-error" id={errorId}>
          {message}
        </p>
      ) : null}
    </div>
  );
}
