// A cursor-paged list for list screens: first/next/previous page and reload, keeping the cursors already seen.
import { useCallback, useEffect, useRef, useState } from "react";

export interface Page<T> {
  items: T[];
  cursor?: string;
  total?: number;
}

export interface Paged<T> {
  items: T[];
  total?: number;
  page: number;
  hasNext: boolean;
  loading: boolean;
  reload(): Promise<void>;
  next(): void;
  prev(): void;
}

export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, deps: unknown[], onError: (err: unknown) => void): Paged<T> {
  const [state, setState] = useState<{ items: T[]; total?: number; page: number; next?: string; loading: boolean }>({ items: [], page: 0, loading: true });
  /** cursors[i] loads page i */
  const cursors = useRef<Array<string | undefined>>([undefined]);
  /**
   * Why a sequence number: a filter change or a refresh can start a load while another is in
   * flight; only the newest request may write the list, or an older answer would overwrite it.
   */
  const seq = useRef(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const pageRef = useRef(0);

  const load = useCallback(async (page: number) => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const r = await fetchRef.current(cursors.current[page]);
      if (mine !== seq.current) return;
      cursors.current[page + 1] = r.cursor;
      pageRef.current = page;
      setState({ items: r.items, total: r.total, page, next: r.cursor, loading: false });
    } catch (err) {
      if (mine !== seq.current) return;
      setState((s) => ({ ...s, loading: false }));
      onError(err);
    }
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    cursors.current = [undefined];
    void load(0);
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps

  return {
    items: state.items,
    total: state.total,
    page: state.page,
    hasNext: Boolean(state.next),
    loading: state.loading,
    reload: () => load(pageRef.current),
    next: () => {
      if (state.next) void load(state.page + 1);
    },
    prev: () => {
      if (state.page > 0) void load(state.page - 1);
    },
  };
}
