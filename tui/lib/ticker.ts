// Periodic timers for the TUI, injected so component tests fire a refresh without waiting for the clock.
export interface Ticker {
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const realTicker: Ticker = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
};

/** A ticker that only moves when told to (component tests). */
export class ManualTicker implements Ticker {
  private readonly timers = new Set<{ ms: number; fn: () => void }>();

  every(ms: number, fn: () => void): () => void {
    const t = { ms, fn };
    this.timers.add(t);
    return () => this.timers.delete(t);
  }

  /** Fires every timer whose period is `ms`; returns how many fired. */
  fire(ms: number): number {
    let n = 0;
    for (const t of [...this.timers]) if (t.ms === ms) (t.fn(), n++);
    return n;
  }

  get active(): number {
    return this.timers.size;
  }
}
