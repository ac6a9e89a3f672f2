// Per-DID async lock behind a tiny interface (in-process today; a PostgreSQL advisory lock later).

export interface DidLock {
  /** Run `fn` while holding the lock for `did`; callers for the same DID run one at a time, FIFO. */
  withLock<T>(did: string, fn: () => Promise<T> | T): Promise<T>;
}

/** In-process FIFO lock per DID; an entry lives only while someone holds or waits for it. */
export function createMemoryDidLock(): DidLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock<T>(did: string, fn: () => Promise<T> | T): Promise<T> {
      const previous = tails.get(did) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = previous.then(() => mine);
      tails.set(did, tail);
      await previous;
      try {
        return await fn();
      } finally {
        release();
        // Only the last waiter clears the entry, so the map cannot grow with idle DIDs.
        if (tails.get(did) === tail) tails.delete(did);
      }
    },
  };
}
