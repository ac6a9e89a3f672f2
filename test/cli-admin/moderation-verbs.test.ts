// `ofpds account disable|enable` and `ofpds invite revoke` against the real `serve --dev`: JSON output, confirmation, server state after.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-disable-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
let pds: RunningPds;
let home: string;
let admin: string;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMITS_ENABLED: "false" });
  home = dirs();
  admin = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }))).accessJwt;
  const login = await cli(["auth", "login", "-u", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n");
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await pds?.stop();
});

const cli = (args: string[], stdin?: string) => runCli([...args, "-s", pds.url], { stdin, env: { XDG_CONFIG_HOME: home } });
const statusOf = async (did: string) => (await ok(call(pds.url, "com.atproto.sync.getRepoStatus", { params: { did } }))) as { active: boolean; status?: string };

async function user(name: string): Promise<string> {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  return reg.did;
}

test("disable needs -y without a terminal (exit 2, nothing sent); with -y --json the account is disabled; enable restores it", async () => {
  const did = await user("dora");
  const unconfirmed = await cli(["account", "disable", "dora"]);
  expect(unconfirmed.code).toBe(2);
  expect(await statusOf(did)).toMatchObject({ did, active: true });

  const r = await cli(["account", "disable", "dora", "--reason", "asked to close", "-y", "--json"]);
  expect(r.stderr).toBe("");
  expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { did, status: "disabled" }]);
  expect(await statusOf(did)).toEqual({ did, active: false, status: "deactivated" } as never);
  const login = await call(pds.url, "com.atproto.server.createSession", { body: { identifier: "dora", password: USER_PASSWORD } });
  expect([login.status, login.body.error]).toEqual([403, "AccountDisabled"]);

  const again = await cli(["account", "disable", did, "-y", "--json"]);
  expect(again.code).toBe(5); // InvalidStatus is a state conflict (08 §1 exit 5); the JSON error on stderr
  expect(JSON.parse(again.stderr).error).toBe("InvalidStatus");

  const en = await cli(["account", "enable", "dora", "--json"]);
  expect([en.code, JSON.parse(en.stdout)]).toEqual([0, { did, status: "approved" }]);
  expect((await statusOf(did)).active).toBe(true);
});

test("an unknown account → exit 4 naming it; the admin account → 403 exit 3; nothing changes", async () => {
  const missing = await cli(["account", "disable", "nobody-here", "-y"]);
  expect(missing.code).toBe(4);
  expect(missing.stderr).toContain("nobody-here");
  const self = await cli(["account", "disable", "admin", "-y", "--json"]);
  expect(self.code).toBe(3);
  expect(JSON.parse(self.stderr).error).toBe("Forbidden");
  expect(await ok(call(pds.url, "com.atproto.server.getSession", { token: admin }))).toMatchObject({ handle: "admin.test", active: true });
});

test("invite revoke: the code stops working; revoking again → AlreadyRevoked; an unknown code → exit 4", async () => {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code as string;
  const r = await cli(["invite", "revoke", code, "--json"]);
  expect(r.stderr).toBe("");
  expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { code, status: "revoked" }]);
  const reg = await call(pds.url, "net.openfederation.account.register", { body: { handle: "ivy", email: "ivy@example.org", password: USER_PASSWORD, inviteCode: code } });
  expect([reg.status, reg.body.error]).toEqual([403, "InviteInvalid"]);
  const again = await cli(["invite", "revoke", code, "--json"]);
  expect([again.code, JSON.parse(again.stderr).error]).toEqual([5, "AlreadyRevoked"]); // a state conflict (08 §1 exit 5)
  const unknown = await cli(["invite", "revoke", "nope-nope-nope", "--json"]);
  expect([unknown.code, JSON.parse(unknown.stderr).error]).toEqual([4, "NotFound"]);
});
