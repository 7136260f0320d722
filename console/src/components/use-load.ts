import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a save, or on a timer); keeps the last data while it runs. */
  reload: () => Promise<void>;
}

/**
 * Runs `load` on mount and whenever `deps` change; the latest call wins: an answer that arrives
 * after a newer call started (a board or page switched quickly, a reload racing a filter) is
 * dropped, so older data never replaces newer.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names the dependencies
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const call = ++latest.current;
    setLoading(true);
    try {
      const loaded = await run();
      if (call !== latest.current) return;
      setData(loaded);
      setError(undefined);
    } catch (err) {
      if (call !== latest.current) return;
      setError(err);
    } finally {
      if (call === latest.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}
