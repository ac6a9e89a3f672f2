// Facts the running server records for `ofpds doctor` (server_meta rows): a requestCrawl success, and an
// X-Forwarded-For header arriving while TRUST_PROXY=0.
import type { Database } from "../db/database.ts";
import { CRAWLER_NOTIFIED_META_KEY, XFF_SEEN_META_KEY } from "./markers.ts";

function upsert(db: Database, key: string, now: () => number): void {
  // fire-and-forget: a note must never fail or delay the request or notification that caused it
  try {
    const value = new Date(now()).toISOString();
    void db
      .transaction(async (tx) => {
        // raw: drizzle renders the conflict target table-qualified, which PostgreSQL refuses
        await tx.raw.run("INSERT INTO server_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at", [key, value, value]);
      })
      .catch(() => {});
  } catch {
    // no clock or database to write with (a closing server, or a bare test app): still no failure
  }
}

/** Called after each successful requestCrawl. */
export function crawlerNotifiedNote(db: Database, now: () => number): () => void {
  return () => upsert(db, CRAWLER_NOTIFIED_META_KEY, now);
}

/**
 * Called with each request's X-Forwarded-For; records the first one per process when TRUST_PROXY=0 (a proxy is in
 * front but its hops are not trusted, so every client shares the proxy's rate-limit bucket). Once per process keeps
 * it to one write.
 */
export function forwardedForNote(db: Database, trustProxy: number, now: () => number): (forwardedFor: string | null) => void {
  let noted = trustProxy !== 0;
  return (forwardedFor) => {
    if (noted || !forwardedFor) return;
    noted = true;
    upsert(db, XFF_SEEN_META_KEY, now);
  };
}
