// Async mutexes: one global FIFO lock and a keyed variant (one queue per key, freed when idle).

/** FIFO async lock: run() executes callbacks one at a time in arrival order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get busy(): boolean {
    return this.pending > 0;
  }

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const result = this.tail.then(fn);
    // The chain must never reject, or every later caller would inherit the failure.
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }
}

/** One Mutex per key (e.g. per DID); entries are dropped when their queue drains. */
export class KeyedMutex {
  private readonly locks = new Map<string, Mutex>();

  async run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    let lock = this.locks.get(key);
    if (!lock) {
      lock = new Mutex();
      this.locks.set(key, lock);
    }
    try {
      return await lock.run(fn);
    } finally {
      if (!lock.busy && this.locks.get(key) === lock) this.locks.delete(key);
    }
  }

  get size(): number {
    return this.locks.size;
  }
}
