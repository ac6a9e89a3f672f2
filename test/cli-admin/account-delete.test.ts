// `ofpds account delete` against the real `serve --dev`: typed-handle confirmation rules (08 §1), --json, exit codes, server state after.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-delete-");
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
const exists = async (did: string) => (await call(pds.url, "com.atproto.sync.getRepoStatus", { params: { did } })).status === 200;

/** An approved account that has exported itself (the export rule, 06 §2), so only the CLI rules decide. */
async function user(name: string): Promise<string> {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password: USER_PASSWORD } }));
  await ok(call(pds.url, "net.openfederation.account.export", { token: s.accessJwt, params: { did: reg.did } }));
  return reg.did;
}

test("without a terminal and without --yes/--confirm → exit 2; a wrong --confirm → exit 2; nothing deleted", async () => {
  const did = await user("erin");
  const unconfirmed = await cli(["account", "delete", "erin"]);
  expect(unconfirmed.code).toBe(2);
  expect(unconfirmed.stderr).toContain("--confirm");
  const wrong = await cli(["account", "delete", "erin", "--confirm", "someone-else.test"]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain("erin.test");
  expect(await exists(did)).toBe(true);
});

test("--confirm <handle> --json deletes; --yes deletes; the account is gone", async () => {
  const a = await user("fern");
  const r = await cli(["account", "delete", "fern", "--confirm", "fern.test", "--json"]);
  expect(r.stderr).toBe("");
  expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { did: a, deleted: true }]);
  expect(await exists(a)).toBe(false);

  const b = await user("gail");
  const y = await cli(["account", "delete", b, "--yes"]);
  expect(y.code).toBe(0);
  expect(y.stdout).toContain(b);
  expect(await exists(b)).toBe(false);
});

test("an unknown account → exit 4; the admin account → 403 exit 3; an account owning a community → exit 5 AccountOwnsCommunities", async () => {
  expect((await cli(["account", "delete", "nobody-here", "-y"])).code).toBe(4);
  const self = await cli(["account", "delete", "admin", "-y", "--json"]);
  expect([self.code, JSON.parse(self.stderr).error]).toEqual([3, "Forbidden"]);
  const did = await user("hank");
  const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "hank", password: USER_PASSWORD } }));
  await ok(call(pds.url, "net.openfederation.community.create", { token: s.accessJwt, body: { handle: "hanks-club", didMethod: "plc" } }));
  const owns = await cli(["account", "delete", "hank", "-y", "--json"]);
  expect([owns.code, JSON.parse(owns.stderr).error]).toEqual([5, "AccountOwnsCommunities"]);
  expect(JSON.parse(owns.stderr).message).toContain("hanks-club.test");
  expect(await exists(did)).toBe(true);
});
