// `ofpds account suspend|unsuspend|takedown|untakedown` against the real `serve --dev`: confirmation rules, --json, exit codes, server state after.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-subject-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const REPO_REF = "com.atproto.admin.defs#repoRef";
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

const cli = (args: string[], stdin?: string, configHome = home) => runCli([...args, "-s", pds.url], { stdin, env: { XDG_CONFIG_HOME: configHome } });
const statusOf = async (did: string) => (await ok(call(pds.url, "com.atproto.admin.getSubjectStatus", { token: admin, params: { did } }))).accountStatus as string;
const auditCount = (did: string) => ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { targetDid: did } })).then((r) => r.total as number);

async function user(name: string): Promise<string> {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  return reg.did;
}

test("suspend needs -y without a terminal (exit 2, nothing sent); -y --json suspends; again → exit 5 AlreadySuspended; unsuspend restores", async () => {
  const did = await user("sully");
  const audits = await auditCount(did);
  const unconfirmed = await cli(["account", "suspend", "sully"]);
  expect(unconfirmed.code).toBe(2);
  expect([await statusOf(did), await auditCount(did)]).toEqual(["approved", audits]);

  const r = await cli(["account", "suspend", "sully", "--reason", "spam", "-y", "--json"]);
  expect(r.stderr).toBe("");
  expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { subject: { $type: REPO_REF, did }, takedown: { applied: false }, deactivated: { applied: true, ref: "spam" }, accountStatus: "suspended" }]);
  expect(await statusOf(did)).toBe("suspended");
  const login = await call(pds.url, "com.atproto.server.createSession", { body: { identifier: "sully", password: USER_PASSWORD } });
  expect([login.status, login.body.error]).toEqual([403, "AccountSuspended"]);

  const again = await cli(["account", "suspend", did, "-y", "--json"]);
  expect([again.code, JSON.parse(again.stderr).error]).toEqual([5, "AlreadySuspended"]); // a state conflict (08 §1 exit 5)

  const un = await cli(["account", "unsuspend", "sully", "-y", "--json"]);
  expect([un.code, JSON.parse(un.stdout).accountStatus]).toEqual([0, "approved"]);
  const unAgain = await cli(["account", "unsuspend", "sully", "-y", "--json"]);
  expect([unAgain.code, JSON.parse(unAgain.stderr).error]).toEqual([5, "NotSuspended"]);
  expect(await statusOf(did)).toBe("approved");
});

test("takedown is severe: no terminal and neither --confirm nor --yes → exit 2; a wrong --confirm → exit 2; nothing changes", async () => {
  const did = await user("tara");
  await ok(call(pds.url, "com.atproto.admin.updateSubjectStatus", { token: admin, body: { subject: { $type: REPO_REF, did }, deactivated: { applied: true } } }));
  const audits = await auditCount(did);
  const bare = await cli(["account", "takedown", "tara", "--json"]);
  expect(bare.code).toBe(2);
  expect(bare.stderr).toContain("--confirm");
  const wrong = await cli(["account", "takedown", "tara", "--confirm", "someone-else", "--json"]);
  expect(wrong.code).toBe(2);
  expect(JSON.parse(wrong.stderr).message).toContain("does not match");
  expect([await statusOf(did), await auditCount(did)]).toEqual(["suspended", audits]);
  // the right handle, but no holder export and the grace period not over: ExportRequired (409) → exit 5
  const refused = await cli(["account", "takedown", did, "--confirm", "tara", "--json"]);
  expect([refused.code, JSON.parse(refused.stderr).error]).toEqual([5, "ExportRequired"]);
  expect([await statusOf(did), await auditCount(did)]).toEqual(["suspended", audits]);
});

test("takedown with the typed handle after the grace period, then untakedown back to the status before the suspension", async () => {
  const did = await user("uma");
  expect((await cli(["account", "suspend", "uma", "-y"])).code).toBe(0);
  pds.advanceClock(14 * 86_400_000 + 60_000);
  // the saved CLI session's access token expired with the clock; the client refreshes it (30-day refresh token)
  const r = await cli(["account", "takedown", "uma", "--confirm", "uma.test", "--reason", "illegal", "--json"]);
  expect(r.stderr).toBe("");
  expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { subject: { $type: REPO_REF, did }, takedown: { applied: true, ref: "illegal" }, deactivated: { applied: false }, accountStatus: "takendown" }]);
  admin = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }))).accessJwt;
  expect(await statusOf(did)).toBe("takendown");
  const again = await cli(["account", "takedown", "uma", "-y", "--json"]);
  expect([again.code, JSON.parse(again.stderr).error]).toEqual([5, "AlreadyTakenDown"]);

  const un = await cli(["account", "untakedown", "uma"]);
  expect(un.code).toBe(0);
  expect(un.stdout).toContain("approved");
  expect(await statusOf(did)).toBe("approved");
  const unAgain = await cli(["account", "untakedown", "uma", "--json"]);
  expect([unAgain.code, JSON.parse(unAgain.stderr).error]).toEqual([5, "NotTakenDown"]);
});

test("an unknown account → exit 4; the admin account → 403 exit 3", async () => {
  const missing = await cli(["account", "suspend", "nobody-here", "-y"]);
  expect(missing.code).toBe(4);
  expect(missing.stderr).toContain("nobody-here");
  const self = await cli(["account", "suspend", "admin", "-y", "--json"]);
  expect([self.code, JSON.parse(self.stderr).error]).toEqual([3, "Forbidden"]);
  expect(await statusOf((await ok(call(pds.url, "com.atproto.server.getSession", { token: admin }))).did)).toBe("approved");
});
