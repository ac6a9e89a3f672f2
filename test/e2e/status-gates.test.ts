// Login and per-request status gates for suspended, disabled, takendown and deactivated accounts (01 §9.3-§9.5).
// No method in this release moves an account into these states (moderation and deactivation arrive later), so the
// test sets the status with a second connection to the live database: that also proves the server reads status
// from the database on every request rather than trusting the token.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "./_xrpc.ts";

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123", RATE_LIMITS_ENABLED: "false" };
let pds: RunningPds;
let user: { did: string; password: string };

async function setStatus(did: string, status: string) {
  const db = await openTestDatabase(pds.dataDir);
  try {
    await db.raw.run("UPDATE accounts SET status = ? WHERE did = ?", [status, did]);
  } finally {
    await db.close();
  }
}
const login = (extra: Record<string, unknown> = {}) => xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "erin", password: user.password, ...extra } });
const post = (token: string) =>
  xrpc(pds.url, "com.atproto.repo.createRecord", { token, body: { repo: user.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "hi", createdAt: new Date().toISOString() } } });

beforeAll(async () => {
  pds = await startPds(ADMIN);
  const admin = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN.BOOTSTRAP_ADMIN_PASSWORD } }));
  const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin.accessJwt, body: { maxUses: 1 } }));
  const password = "Pw-erin-2026-long";
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: "erin", email: "erin@example.org", password, inviteCode: invite.code } }));
  await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin.accessJwt, body: { did: reg.did } }));
  user = { did: reg.did, password };
});
afterAll(async () => {
  await pds?.stop();
});

describe("an existing session stops working on the very next request", () => {
  test("suspension takes effect without waiting for the token to expire", async () => {
    await setStatus(user.did, "approved");
    const session = await ok(login());
    expect((await post(session.accessJwt)).status).toBe(200);
    await setStatus(user.did, "suspended");
    const res = await post(session.accessJwt);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("AccountSuspended");
  });
});

describe("login outcomes by status", () => {
  test.each([
    ["suspended", 403, "AccountSuspended"],
    ["disabled", 403, "AccountDisabled"],
    ["takendown", 401, "AccountTakedown"],
    ["pending", 403, "AccountNotApproved"],
    ["rejected", 403, "AccountNotApproved"],
  ])("%s → %i %s", async (status, code, error) => {
    await setStatus(user.did, status);
    const res = await login();
    expect(res.status).toBe(code);
    expect(res.body.error).toBe(error);
  });

  test.each([
    ["suspended", 403, "AccountSuspended"],
    ["disabled", 403, "AccountDisabled"],
    ["takendown", 410, "AccountTakenDown"],
  ])("%s with allowTakendown → restricted session that can read but not write (%i %s)", async (status, code, error) => {
    await setStatus(user.did, status);
    const session = await ok(login({ allowTakendown: true }));
    expect(session.active).toBe(false);
    const me = await ok(xrpc(pds.url, "com.atproto.server.getSession", { token: session.accessJwt }));
    expect(me.did).toBe(user.did);
    const write = await post(session.accessJwt);
    expect(write.status).toBe(code);
    expect(write.body.error).toBe(error);
  });

  test("deactivated → an inactive session: getSession works, writes answer AccountDeactivated", async () => {
    await setStatus(user.did, "deactivated");
    const session = await ok(login());
    expect(session).toMatchObject({ active: false, status: "deactivated" });
    await ok(xrpc(pds.url, "com.atproto.server.getSession", { token: session.accessJwt }));
    const write = await post(session.accessJwt);
    expect(write.status).toBe(403);
    expect(write.body.error).toBe("AccountDeactivated");
    await setStatus(user.did, "approved");
  });
});
