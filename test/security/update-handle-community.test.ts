// updateHandle cannot take a name held by a community (400 HandleNotAvailable) or a reserved one (400 InvalidRequest, spec 02 §11); nothing changes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
let pds: RunningPds;
let domain: string;
let user: { did: string; token: string; handle: string };
let community: { did: string };

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS_ENABLED: "false" });
  domain = (await ok(xrpc(pds.url, "com.atproto.server.describeServer"))).availableUserDomains[0].slice(1);
  const admin = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }))).accessJwt;
  const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const password = "Pw-gina-2026-long";
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: "gina", email: "gina@example.org", password, inviteCode: invite.code } }));
  await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const s = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "gina", password } }));
  user = { did: reg.did, token: s.accessJwt, handle: s.handle };
  community = await ok(xrpc(pds.url, "net.openfederation.community.create", { token: user.token, body: { handle: "gardeners", didMethod: "plc", displayName: "Gardeners" } }));
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

const unchanged = async () => {
  expect((await ok(xrpc(pds.url, "com.atproto.server.getSession", { token: user.token }))).handle).toBe(user.handle);
  expect((await ok(xrpc(pds.url, "com.atproto.identity.resolveHandle", { params: { handle: `gardeners.${domain}` } }))).did).toBe(community.did);
  expect((await ok(xrpc(pds.url, "com.atproto.identity.resolveHandle", { params: { handle: user.handle } }))).did).toBe(user.did);
};

for (const handle of ["full", "upper"]) {
  test(`updateHandle to a community's name (${handle}) → 400 HandleNotAvailable, resolution unchanged`, async () => {
    const target = handle === "full" ? `gardeners.${domain}` : `GARDENERS.${domain}`;
    const res = await xrpc(pds.url, "com.atproto.identity.updateHandle", { token: user.token, body: { handle: target } });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "HandleNotAvailable" });
    await unchanged();
  });
}

test("updateHandle to a reserved name → 400 InvalidRequest (02 §11), nothing changes", async () => {
  const res = await xrpc(pds.url, "com.atproto.identity.updateHandle", { token: user.token, body: { handle: "admin" } });
  expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "InvalidRequest" });
  await unchanged();
});
