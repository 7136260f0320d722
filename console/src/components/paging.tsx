import { useMemo, useState } from 'react';
import { Button } from './ui';
import { useLoad } from './use-load';
import './paging.css';

/** One page of a cursor-paged list as the API answers it. */
export interface CursorPage<T> {
  items: T[];
  /** The API's nextCursor: null on the last page. */
  nextCursor: string | null;
}

export interface CursorPages<P extends CursorPage<unknown>> {
  items: P['items'] | undefined;
  /** The whole answer of the page shown (for what the API sends beside the rows). */
  last: P | undefined;
  error: unknown;
  loading: boolean;
  /** 1 for the first page. */
  page: number;
  hasNext: boolean;
  hasPrevious: boolean;
  next: () => void;
  previous: () => void;
  /** Loads the current page again (after a change, or on a timer). */
  reload: () => Promise<void>;
}

/**
 * A list the API pages with `cursor`/`nextCursor`: Next follows the cursor, Previous goes back to
 * the cursor of the page before (kept here, as the API pages forward only). When `deps` change
 * (a filter), it starts again at the first page.
 */
export function useCursorPages<P extends CursorPage<unknown>>(
  load: (cursor: string | undefined) => Promise<P>,
  deps: readonly unknown[],
): CursorPages<P> {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names the dependencies
  const identity = useMemo(() => ({}), deps);
  const [trail, setTrail] = useState<{ of: object; cursors: Array<string | undefined> }>({
    of: identity,
    cursors: [undefined],
  });
  const cursors = trail.of === identity ? trail.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const loaded = useLoad(() => load(cursor), [identity, cursor]);
  const nextCursor = loaded.data?.nextCursor ?? null;
  return {
    items: loaded.data?.items,
    last: loaded.data,
    error: loaded.error,
    loading: loaded.loading,
    page: cursors.length,
    hasNext: nextCursor !== null && !loaded.loading,
    hasPrevious: cursors.length > 1,
    next: () => {
      if (nextCursor !== null) setTrail({ of: identity, cursors: [...cursors, nextCursor] });
    },
    previous: () => {
      if (cursors.length > 1) setTrail({ of: identity, cursors: cursors.slice(0, -1) });
    },
    reload: loaded.reload,
  };
}

/** Previous / Next under a paged table, with the page number; nothing when there is one page. */
export function Pager({
  pages,
  what,
}: {
  pages: Pick<
    CursorPages<CursorPage<unknown>>,
    'page' | 'hasNext' | 'hasPrevious' | 'next' | 'previous' | 'loading'
  >;
  what: string;
}) {
  if (!pages.hasPrevious && !pages.hasNext) return null;
  return (
    <nav className="pager" aria-label={`Pages of ${what}`}>
      <Button onClick={pages.previous} disabled={!pages.hasPrevious || pages.loading}>
        Previous
      </Button>
      <span aria-live="polite">Page {pages.page}</span>
      <Button onClick={pages.next} disabled={!pages.hasNext}>
        Next
      </Button>
    </nav>
  );
}
