// State that key handlers read fresh: several keys can arrive in one input chunk and run before React re-renders,
// so a handler reading plain useState would see the value from before the previous key.
import { useCallback, useReducer, useRef } from "react";

export function useRefState<T>(initial: T | (() => T)): [get: () => T, set: (next: T | ((prev: T) => T)) => void] {
  const ref = useRef<T | undefined>(undefined);
  if (ref.current === undefined) ref.current = typeof initial === "function" ? (initial as () => T)() : initial;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const get = useCallback(() => ref.current as T, []);
  const set = useCallback((next: T | ((prev: T) => T)) => {
    ref.current = typeof next === "function" ? (next as (prev: T) => T)(ref.current as T) : next;
    rerender();
  }, []);
  return [get, set];
}
