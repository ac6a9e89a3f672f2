// Staff-authenticated calls are exempt from the per-IP `create` and `registration` limiters; everybody else is limited.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123" };
let pds: RunningPds;
let admin: string;

beforeAll(async () => {
  // loopback is exempt in --dev by default; an exemption list naming only a documentation address makes these requests count
  pds = await startPds({ ...ADMIN, RATE_LIMIT_EXEMPT_CIDRS: "192.0.2.1/32", CREATE_RATE_LIMIT: "2", REGISTRATION_RATE_LIMIT: "2", AUTH_RATE_LIMIT: "50", GLOBAL_RATE_LIMIT: "1000" });
  admin = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN.BOOTSTRAP_ADMIN_PASSWORD } }))).accessJwt;
});
afterAll(async () => {
  await pds?.stop();
});

test("an admin over the `create` limit still gets 200; a member over it gets 429 and nothing is created", async () => {
  const codes: string[] = [];
  for (let i = 0; i < 4; i++) codes.push((await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }))).code);
  expect(new Set(codes).size).toBe(4);

  // a member: registered with one of the admin's invites (the admin is exempt from `registration` too)
  const password = "Pw-mira-2026-long";
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { token: admin, body: { handle: "mira", email: "mira@example.org", password, inviteCode: codes[0] } }));
  await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const member = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "mira", password } }))).accessJwt;
  for (const handle of ["limited-one", "limited-two"]) {
    await ok(xrpc(pds.url, "net.openfederation.community.create", { token: member, body: { handle, didMethod: "plc" } }));
  }
  const over = await xrpc(pds.url, "net.openfederation.community.create", { token: member, body: { handle: "limited-three", didMethod: "plc" } });
  expect({ status: over.status, error: over.body?.error }).toEqual({ status: 429, error: "RateLimitExceeded" });
  const listed = await ok(xrpc(pds.url, "net.openfederation.community.listMine", { token: member }));
  expect(listed.communities.map((c: { handle: string }) => c.handle.split(".")[0]).sort()).toEqual(["limited-one", "limited-two"]);
});

test("registrations: anonymous callers are limited, a staff token is not", async () => {
  const codes: string[] = [];
  for (let i = 0; i < 6; i++) codes.push((await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }))).code);
  const register = (i: number, token?: string) =>
    xrpc(pds.url, "net.openfederation.account.register", { ...(token ? { token } : {}), body: { handle: `reg${i}`, email: `reg${i}@example.org`, password: `Pw-reg${i}-2026-long`, inviteCode: codes[i] } });
  // anonymous: 2 per window
  expect((await register(0)).status).toBe(200);
  expect((await register(1)).status).toBe(200);
  const refused = await register(2);
  expect({ status: refused.status, error: refused.body?.error }).toEqual({ status: 429, error: "RateLimitExceeded" });
  const pending = await ok(xrpc(pds.url, "net.openfederation.account.listPending", { token: admin }));
  expect(pending.users.map((u: { handle: string }) => u.handle.split(".")[0]).sort()).toEqual(["reg0", "reg1"]);
  // the admin, from the same IP, after the anonymous bucket is spent
  for (const i of [3, 4, 5]) expect((await register(i, admin)).status).toBe(200);
});
