// Where the SDK keeps its session: browser storage, memory, or a caller's adapter; broken storage falls back to memory.

/** A synchronous key/value store (localStorage-shaped). */
export interface StorageAdapter {
  get(key: string): string | null | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export type StorageOption = "local" | "session" | "memory" | StorageAdapter;

export function memoryStorage(): StorageAdapter {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k) };
}

/**
 * `"memory"` never touches browser storage (not even a probe). Browser storage is probed once; if it is missing or
 * throws (Safari private mode, sandboxed iframes, disabled cookies) the session lives in memory instead, and a
 * later failing write moves it to memory too, so a full quota never loses a login.
 */
export function pickStorage(option: StorageOption = "local", probeKey: string): StorageAdapter {
  if (typeof option === "object") return option;
  const mem = memoryStorage();
  if (option === "memory") return mem;
  let web: Storage | undefined;
  try {
    web = option === "session" ? sessionStorage : localStorage;
    web.setItem(probeKey, "1");
    web.removeItem(probeKey);
  } catch {
    return mem;
  }
  const w = web;
  return {
    get: (k) => {
      try {
        return mem.get(k) ?? w.getItem(k);
      } catch {
        return mem.get(k);
      }
    },
    set: (k, v) => {
      try {
        w.setItem(k, v);
        mem.remove(k);
      } catch {
        mem.set(k, v);
      }
    },
    remove: (k) => {
      mem.remove(k);
      try {
        w.removeItem(k);
      } catch {
        /* already in memory only */
      }
    },
  };
}
