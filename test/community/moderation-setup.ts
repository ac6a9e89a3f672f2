// Shared setup for the moderation, export and ownership suites: one real server with a bootstrap admin, registered
// accounts, communities, a read-only view of the database, and `join` once the membership method exists.
import { startPds, type RunningPds } from "../_support/pds.ts";
import { openTestDatabase } from "../_support/db.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

export const NS = "net.openfederation.community";
export const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
export type User = { did: string; token: string; password: string; handle: string };

/**
 * The running server's database, opened beside it on the engine under test (SQLite file or PostgreSQL database):
 * `query(sql).get/all(...params)` as bun:sqlite says it, but async; `run` for the few direct writes a test makes.
 */
export interface ServerDb {
  query(sql: string): { get(...params: unknown[]): Promise<any>; all(...params: unknown[]): Promise<any[]> };
  run(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export async function serverDb(dataDir: string): Promise<ServerDb> {
  const db = await openTestDatabase(dataDir);
  return {
    query: (sql) => ({
      get: async (...params) => (await db.raw.get(sql, params)) ?? null,
      all: (...params) => db.raw.all(sql, params),
    }),
    run: (sql, params = []) => db.transaction((tx) => tx.raw.run(sql, params)),
    close: () => db.close(),
  };
}

export interface Setup {
  pds: RunningPds;
  db: ServerDb;
  admin: User;
  register(name: string): Promise<User>;
  community(owner: User, handle: string, extra?: Record<string, unknown>): Promise<string>;
  join(user: User, did: string): Promise<void>;
  count(sql: string, ...args: string[]): Promise<number>;
  row(did: string): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

export async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const pds = await startPds({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMITS_ENABLED: "false", PDS_HOSTNAME: "pds.example.com", ...env,
  });
  const s = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }));
  const admin: User = { did: s.did, token: s.accessJwt, password: ADMIN.password, handle: ADMIN.handle };
  const db = await serverDb(pds.dataDir);
  return {
    pds, db, admin,
    async register(name) {
      const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin.token, body: { maxUses: 1 } }));
      const password = `Pw-${name}-2026-long`;
      const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
      await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin.token, body: { did: reg.did } }));
      const sess = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password } }));
      return { did: reg.did, token: sess.accessJwt, password, handle: name };
    },
    async community(owner, handle, extra = {}) {
      return (await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle, didMethod: "plc", ...extra } }))).did;
    },
    async join(user, did) {
      await ok(xrpc(pds.url, `${NS}.join`, { token: user.token, body: { did } }));
    },
    count: async (sql, ...args) => ((await db.query(sql).get(...args)) as { n: number }).n,
    row: async (did) => (await db.query("SELECT * FROM communities WHERE did = ?").get(did)) as Record<string, any>,
    async stop() {
      await db.close();
      await pds.stop();
    },
  };
}

/** The #account/#identity/#sync/#commit event types of a DID after `afterSeq`, in order. */
export async function eventsAfter(db: ServerDb, did: string, afterSeq: number): Promise<string[]> {
  return (await db.query("SELECT type FROM repo_events WHERE did = ? AND seq > ? ORDER BY seq").all(did, afterSeq)).map((r: any) => r.type as string);
}
export const headSeq = async (db: ServerDb): Promise<number> => ((await db.query("SELECT coalesce(max(seq), 0) AS n FROM repo_events").get()) as { n: number }).n;
