// An access token's `sub` must be its session's DID: a token re-signed with another sub (same live session) is refused.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { signJwt, verifyJwt } from "../../src/account/jwt.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
let pds: RunningPds;
const users = {} as Record<"erin" | "frank", { did: string; token: string }>;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS_ENABLED: "false" });
  const admin = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }))).accessJwt;
  for (const name of ["erin", "frank"] as const) {
    const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
    const password = `Pw-${name}-2026-long`;
    const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
    await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
    users[name] = { did: reg.did, token: (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password } }))).accessJwt };
  }
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

test("erin's live session re-signed with sub = frank's DID → 401 InvalidToken; frank's repo unchanged", async () => {
  // the dev data dir holds the server's JWT secret (0600); only a holder of it can mint such a token
  const secret = (JSON.parse(readFileSync(join(pds.dataDir, "secrets.json"), "utf8")) as { AUTH_JWT_SECRET: string }).AUTH_JWT_SECRET;
  const v = verifyJwt(secret, users.erin.token);
  if (!v.ok) throw new Error(`could not read erin's token: ${v.reason}`);
  const forged = signJwt(secret, v.typ, { ...v.claims, sub: users.frank.did });
  const head = async () => await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did: users.frank.did } }));
  const before = await head();
  const res = await xrpc(pds.url, "com.atproto.repo.createRecord", { token: forged, body: { repo: users.frank.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "not frank", createdAt: "2026-01-01T00:00:00.000Z" } } });
  expect({ status: res.status, error: res.body?.error }).toEqual({ status: 401, error: "InvalidToken" });
  expect(await head()).toEqual(before);
  const who = await xrpc(pds.url, "com.atproto.server.getSession", { token: forged });
  expect({ status: who.status, error: who.body?.error }).toEqual({ status: 401, error: "InvalidToken" });
  // control: the genuine token still works
  expect((await xrpc(pds.url, "com.atproto.server.getSession", { token: users.erin.token })).body.did).toBe(users.erin.did);
});
