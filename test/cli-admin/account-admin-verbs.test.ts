// `ofpds account update|reset-password|create` against the real `serve --dev`, with --json: server state after each verb,
// refusals with their exit codes and nothing changed; the local first-admin mode on a stopped server's data dir.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

// every verb is a CLI process and the local test starts two servers: generous per-test time on a loaded machine
setDefaultTimeout(60_000);
const dirs = tempDirs("ofpds-cli-account-admin-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const NEW_PASSWORD = "Fresh-password-9012";
let pds: RunningPds;
let home: string;
let admin: string;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMITS_ENABLED: "false" });
  home = dirs();
  admin = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }))).accessJwt;
  expect((await cli(["auth", "login", "-u", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")).code).toBe(0);
});
afterAll(async () => {
  await pds?.stop();
});

const cli = (args: string[], stdin?: string) => runCli([...args, "-s", pds.url], { stdin, env: { XDG_CONFIG_HOME: home } });
const login = (identifier: string, password: string) => call(pds.url, "com.atproto.server.createSession", { body: { identifier, password } });
const info = (did: string) => ok(call(pds.url, "com.atproto.admin.getAccountInfo", { token: admin, params: { did } }));

async function user(name: string) {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const s = await ok(login(name, USER_PASSWORD));
  return { did: reg.did as string, accessJwt: s.accessJwt as string };
}

describe("account update", () => {
  test("--handle and --email in one call: one JSON document, the server holds both", async () => {
    const bob = await user("bob");
    const r = await cli(["account", "update", "bob", "--handle", "bobby", "--email", "Bobby@Example.org", "--json"]);
    expect(r.stderr).toBe("");
    expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { did: bob.did, handle: "bobby.test", email: "bobby@example.org" }]);
    expect(await info(bob.did)).toMatchObject({ handle: "bobby.test", email: "bobby@example.org" });
    expect((await ok(call(pds.url, "com.atproto.identity.resolveHandle", { params: { handle: "bobby.test" } }))).did).toBe(bob.did);
  });

  test("--password-stdin: every session ends, the new password logs in", async () => {
    const cat = await user("cat");
    const r = await cli(["account", "update", cat.did, "--password-stdin", "--json"], NEW_PASSWORD + "\n");
    expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { did: cat.did, passwordChanged: true }]);
    expect((await call(pds.url, "com.atproto.server.getSession", { token: cat.accessJwt })).status).toBe(401);
    expect((await login("cat", USER_PASSWORD)).status).toBe(401);
    expect((await login("cat", NEW_PASSWORD)).status).toBe(200);
  });

  test("refusals: --password on the command line, no change flag, an admin target, an unknown account, a taken handle — nothing changed", async () => {
    const dan = await user("dan");
    const before = await info(dan.did);
    const pw = await cli(["account", "update", "dan", "--password", NEW_PASSWORD]);
    expect(pw.code).toBe(2);
    expect(pw.stderr).toContain("--password-file");
    const none = await cli(["account", "update", "dan", "--json"]);
    expect([none.code, JSON.parse(none.stderr).error]).toEqual([2, "UsageError"]);
    const adminTarget = await cli(["account", "update", "admin", "--email", "x@example.org", "--json"]);
    expect([adminTarget.code, JSON.parse(adminTarget.stderr).error]).toEqual([3, "Forbidden"]);
    const unknown = await cli(["account", "update", "nobody-here", "--email", "y@example.org", "--json"]);
    expect(unknown.code).toBe(4);
    await user("dana");
    const taken = await cli(["account", "update", "dan", "--handle", "dana", "--json"]);
    expect([taken.code, JSON.parse(taken.stderr).error]).toEqual([5, "HandleNotAvailable"]); // a named 400 state error (08 §1)
    expect(taken.stdout).toBe("");
    const reserved = await cli(["account", "update", "dan", "--handle", "admin", "--json"]);
    expect([reserved.code, JSON.parse(reserved.stderr).error]).toEqual([2, "InvalidRequest"]);

    expect(await info(dan.did)).toEqual(before);
    expect((await login("dan", USER_PASSWORD)).status).toBe(200);
    expect((await ok(call(pds.url, "com.atproto.server.getSession", { token: admin }))).email).toBe("admin@example.org");
    // the handle is applied, then the email is refused (taken): the first change stays and stderr says so
    const partial = await cli(["account", "update", "dan", "--handle", "dan-two", "--email", "dana@example.org"]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain("Already changed before the failure: handle");
    expect(await info(dan.did)).toMatchObject({ handle: "dan-two.test", email: "dan@example.org" });
  });
});

describe("account reset-password", () => {
  test("--password-file: sessions revoked, new password works; without a source and no terminal → exit 2; admin target → exit 3", async () => {
    const eve = await user("eve");
    const file = join(dirs(), "pw.txt");
    writeFileSync(file, NEW_PASSWORD + "\n", { mode: 0o600 });
    const r = await cli(["account", "reset-password", "eve", "--password-file", file, "--json"]);
    expect(r.stderr).toBe("");
    expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { did: eve.did, passwordChanged: true, sessionsRevoked: true }]);
    expect((await call(pds.url, "com.atproto.server.getSession", { token: eve.accessJwt })).status).toBe(401);
    expect((await login("eve", NEW_PASSWORD)).status).toBe(200);

    const noSource = await cli(["account", "reset-password", "eve", "--json"]);
    expect(noSource.code).toBe(2);
    const weak = await cli(["account", "reset-password", "eve", "--password-stdin", "--json"], "weak\n");
    expect([weak.code, JSON.parse(weak.stderr).error]).toEqual([2, "InvalidRequest"]);
    const adminTarget = await cli(["account", "reset-password", "admin", "--password-stdin", "--json"], NEW_PASSWORD + "\n");
    expect([adminTarget.code, JSON.parse(adminTarget.stderr).error]).toEqual([3, "Forbidden"]);
    expect((await login("admin", ADMIN_PASSWORD)).status).toBe(200);
    expect((await login("eve", NEW_PASSWORD)).status).toBe(200);
    // the audit trail through the CLI: one staff password change of eve, by the admin
    const trail = await cli(["audit", "list", "--action", "account.password.*", "--actor", "admin", "--target", eve.did, "--all", "--json"]);
    expect(trail.code).toBe(0);
    const doc = JSON.parse(trail.stdout);
    expect([doc.total, doc.entries.map((x: any) => [x.action, x.actorHandle, x.meta])]).toEqual([1, [["account.password.change", "admin.test", { byStaff: true }]]]);
    const future = await cli(["audit", "list", "--target", eve.did, "--since", "2999-01-01T00:00:00Z", "--json"]);
    expect(JSON.parse(future.stdout)).toEqual({ entries: [], total: 0 });
  });
});

describe("account create over XRPC", () => {
  test("an approved account with a role, the rotation key written to --key-out (0600); it logs in", async () => {
    const keyOut = join(dirs(), "carol-key.json");
    const r = await cli(["account", "create", "--handle", "carol", "--email", "carol@example.org", "--password-stdin", "--role", "moderator", "--key-out", keyOut, "--json"], USER_PASSWORD + "\n");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ handle: "carol.test", email: "carol@example.org", status: "approved", roles: ["moderator", "user"] });
    expect(out.primaryRotationKey).toBeUndefined();
    const key = JSON.parse(readFileSync(keyOut, "utf8"));
    expect(key).toMatchObject({ did: out.did, curve: "secp256k1" });
    expect(statSync(keyOut).mode & 0o777).toBe(0o600);
    expect((await login("carol", USER_PASSWORD)).status).toBe(200);
    expect(await info(out.did)).toMatchObject({ accountStatus: "approved", roles: ["moderator", "user"] });
  });

  test("refusals: missing flags (exit 2, all named), a taken handle (exit 5), --role in local mode (exit 2)", async () => {
    const missing = await cli(["account", "create", "--json"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr).message).toContain("--handle, --email, --password-file or --password-stdin");
    const count = async () => (await ok(call(pds.url, "net.openfederation.account.list", { token: admin, params: { limit: 100 } }))).total;
    const before = await count();
    const taken = await cli(["account", "create", "--handle", "carol", "--email", "other@example.org", "--password-stdin", "--json"], USER_PASSWORD + "\n");
    expect([taken.code, JSON.parse(taken.stderr).error]).toEqual([5, "AccountExists"]);
    const localRole = await cli(["account", "create", "--data-dir", dirs(), "--handle", "x1x", "--email", "x@example.org", "--password-stdin", "--role", "admin"], USER_PASSWORD + "\n");
    expect(localRole.code).toBe(2);
    expect(await count()).toBe(before);
  });
});

describe("account create --data-dir (local first admin)", () => {
  test("refused while a server holds the data dir; on the stopped server: an admin with all roles, the rotation key file, and it logs in", async () => {
    const dataDir = dirs();
    const first = await startPds({ RATE_LIMITS_ENABLED: "false" }, { dataDir });
    const plcPort = String(await freePort());
    const local = (extra: string[] = []) =>
      runCli(["account", "create", "--dev", "--data-dir", dataDir, "--handle", "ops", "--email", "ops@example.org", "--password-stdin", "--json", ...extra], { stdin: ADMIN_PASSWORD + "\n", env: { XDG_CONFIG_HOME: home, PLC_PORT: plcPort } });
    const locked = await local();
    expect(locked.code).toBe(1);
    expect(JSON.parse(locked.stderr).error).toBe("DataDirLocked");
    await first.stop();
    const keyFile = join(dataDir, "bootstrap-admin-rotation-key.txt");
    expect(existsSync(keyFile)).toBe(false);

    const r = await local();
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ handle: "ops.test", email: "ops@example.org", status: "approved", roles: ["admin", "auditor", "moderator", "partner-manager", "user"], rotationKeyFile: keyFile });
    expect(JSON.parse(readFileSync(keyFile, "utf8"))).toMatchObject({ did: out.did, curve: "secp256k1" });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // a second run: the key file is still there, so nothing is created (exit 5)
    const again = await local();
    expect([again.code, JSON.parse(again.stderr).error]).toEqual([5, "FileExists"]);

    const second = await startPds({ RATE_LIMITS_ENABLED: "false" }, { dataDir });
    try {
      const s = await ok(call(second.url, "com.atproto.server.createSession", { body: { identifier: "ops", password: ADMIN_PASSWORD } }));
      expect(s.roles).toEqual(["admin", "auditor", "moderator", "partner-manager", "user"]);
      const audit = await ok(call(second.url, "net.openfederation.audit.list", { token: s.accessJwt, params: { action: "server.bootstrapAdmin", targetDid: out.did } }));
      expect(audit.entries.map((x: any) => x.meta)).toEqual([{ handle: "ops.test", via: "cli" }]);
      // the DID is real: the embedded PLC directory kept its genesis
      const doc = await (await fetch(`${second.plcUrl}/${out.did}/data`)).json();
      expect((doc as { alsoKnownAs: string[] }).alsoKnownAs).toEqual(["at://ops.test"]);
    } finally {
      await second.stop();
    }
  });
});
