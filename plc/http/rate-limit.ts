// Per-IP request limits (§3 step 9) behind a small interface, plus client-IP resolution.

export interface RateLimiter {
  /** Count one request for `key`; false when the key is over its limit in the current window. */
  hit(key: string, now?: number): boolean;
}

/** Fixed-window counter per key, in memory. */
export function createWindowLimiter(max: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return {
    hit(key, now = Date.now()) {
      // Sweep expired windows at most once per window so the map cannot grow without bound.
      if (now - lastSweep > windowMs) {
        for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
        lastSweep = now;
      }
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return w.count <= max;
    },
  };
}

export const POST_LIMIT = { max: 300, windowMs: 5 * 60 * 1000 };
export const GET_LIMIT = { max: 3000, windowMs: 5 * 60 * 1000 };

export function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

/**
 * The client address: the socket peer, or with `trustProxy` = N hops the N-th entry from the right
 * of X-Forwarded-For (each trusted proxy appends the address it saw; anything further left is
 * client-controlled and ignored).
 */
export function clientIp(socketIp: string, forwardedFor: string | null, trustProxy: number): string {
  if (trustProxy <= 0 || !forwardedFor) return socketIp;
  const hops = forwardedFor
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (hops.length === 0) return socketIp;
  return hops[Math.max(0, hops.length - trustProxy)]!;
}
