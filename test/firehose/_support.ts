// Test support for the firehose tests: a PDS with a bootstrap admin, approved users, logged-in write helpers.
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { rk } from "../_support/rkey.ts";
import { openTestDatabase } from "../_support/db.ts";

export const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };

export function adminEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS_ENABLED: "false", ...extra };
}

export async function startFirehosePds(extra: Record<string, string> = {}, opts: { dataDir?: string } = {}): Promise<RunningPds> {
  return startPds(adminEnv(extra), opts);
}

/** One statement on the live database of a running PDS, through a second connection on the engine under test. */
export async function liveSql(pds: RunningPds, sql: string, params: unknown[] = []): Promise<number> {
  const db = await openTestDatabase(pds.dataDir);
  try {
    return await db.raw.run(sql, params);
  } finally {
    await db.close();
  }
}

export async function adminToken(url: string): Promise<string> {
  return (await ok(xrpc(url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }))).accessJwt;
}

export interface User {
  did: string;
  token: string;
}

/** invite → register (pending) → approve → login. */
export async function registerApproved(url: string, admin: string, name: string): Promise<User> {
  const invite = await ok(xrpc(url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const password = `Pw-${name}-2026-long`;
  const reg = await ok(xrpc(url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
  await ok(xrpc(url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const session = await ok(xrpc(url, "com.atproto.server.createSession", { body: { identifier: name, password } }));
  return { did: reg.did, token: session.accessJwt };
}

export async function createPost(url: string, user: User, rkey: string, text = `post ${rkey}`) {
  return ok(
    xrpc(url, "com.atproto.repo.createRecord", {
      token: user.token,
      body: { repo: user.did, collection: "app.bsky.feed.post", rkey: rk(rkey), record: { $type: "app.bsky.feed.post", text, createdAt: new Date().toISOString() } },
    }),
  );
}
