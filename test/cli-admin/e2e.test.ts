// The admin CLI against the real `ofpds serve --dev`: login, invites, approval queue, roles, audit, logout, exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";

const dirs = tempDirs("ofpds-cli-e2e-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const lex = createLexiconRegistry().lexicons;
const mode = (p: string) => statSync(p).mode & 0o777;

let pds: RunningPds;
let home: string;
let sessionsPath: string;
const saved = () => JSON.parse(readFileSync(sessionsPath, "utf8"));

/** ofpds against the test server with the test config home; `--json` runs must print exactly one JSON document. */
async function cli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  const r = await runCli([...args, "-s", pds.url], { stdin: opts.stdin, env: { XDG_CONFIG_HOME: home, ...opts.env } });
  expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/); // piped: no ANSI
  return r;
}
async function json(args: string[], nsid?: string) {
  const r = await cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  if (nsid) lex.assertValidXrpcOutput(nsid, doc);
  return doc;
}

async function register(name: string, inviteCode: string) {
  const res = await fetch(`${pds.url}/xrpc/net.openfederation.account.register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { did: string; handle: string; status: string };
}

beforeAll(async () => {
  home = dirs();
  sessionsPath = join(home, "ofpds", "sessions.json");
  pds = await startPds({
    BOOTSTRAP_ADMIN_EMAIL: "admin@example.org",
    BOOTSTRAP_ADMIN_HANDLE: "admin",
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    XDG_CONFIG_HOME: home,
  });
});
afterAll(async () => {
  await pds?.stop();
});

describe("admin CLI end to end", () => {
  let user: { did: string; handle: string };

  test("login without a password source fails with usage errors (exit 2)", async () => {
    const none = await cli(["auth", "login", "-u", "admin", "--no-input"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--password-file");
    expect(none.stderr).toContain("--password-stdin");
    expect((await cli(["auth", "login", "-u", "admin", "--password", ADMIN_PASSWORD])).code).toBe(2);
  });

  test("login with --password-file, then --password-stdin: sessions.json 0600 in a 0700 dir", async () => {
    const pw = join(home, "pw.txt");
    writeFileSync(pw, ADMIN_PASSWORD + "\n", { mode: 0o600 });
    const viaFile = await cli(["auth", "login", "-u", "admin", "--password-file", pw]);
    expect(viaFile.stderr).toBe("");
    expect(viaFile.code).toBe(0);
    expect(viaFile.stdout).toMatch(/^Logged in to .* as admin\.\S+ \(did:plc:[a-z2-7]{24}\)\n$/);
    const viaStdin = await cli(["auth", "login", "-u", "admin", "--password-stdin", "--json"], { stdin: ADMIN_PASSWORD });
    expect(viaStdin.code).toBe(0);
    const doc = JSON.parse(viaStdin.stdout);
    expect(doc.accessJwt).toBeUndefined();
    expect(doc.roles).toContain("admin");
    expect(mode(join(home, "ofpds"))).toBe(0o700);
    expect(mode(sessionsPath)).toBe(0o600);
    expect(saved()[pds.url]).toMatchObject({ did: doc.did, handle: doc.handle });
  });

  test("whoami --json is the getSession output", async () => {
    const me = await json(["auth", "whoami"], "com.atproto.server.getSession");
    expect(me).toMatchObject({ handle: expect.stringMatching(/^admin\./), active: true });
    expect(me.roles).toEqual(expect.arrayContaining(["admin", "moderator", "auditor", "partner-manager", "user"]));
  });

  test("invite → register → list-pending → approve → approve again (exit 5)", async () => {
    const invite = await json(["invite", "create", "--max-uses", "2", "--note", "cli e2e"], "net.openfederation.invite.create");
    expect(invite).toMatchObject({ maxUses: 2, usesCount: 0, status: "active", note: "cli e2e" });
    const code = await cli(["invite", "create"]);
    expect(code.stdout).toMatch(/^i[A-Za-z0-9_-]{16}\n$/);
    const reg = await register("carol", invite.code);
    expect(reg.status).toBe("pending");
    user = reg;

    const pending = await json(["account", "list-pending"], "net.openfederation.account.listPending");
    expect(pending.users.map((u: { did: string }) => u.did)).toContain(user.did);
    expect((await cli(["account", "list-pending"])).stdout).toContain(user.handle);

    const approved = await cli(["account", "approve", "carol"]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(user.did);
    const again = await cli(["account", "approve", user.did, "--json"]);
    expect(again.code).toBe(5);
    expect(again.stdout).toBe("");
    expect(JSON.parse(again.stderr.trim())).toMatchObject({ error: "AlreadyResolved", exitCode: 5 });

    const list = await json(["account", "list", "--status", "approved"], "net.openfederation.account.list");
    expect(list.users.find((u: { did: string }) => u.did === user.did)).toMatchObject({ status: "approved" });
    const all = await json(["account", "list", "--all", "--limit", "1"]);
    expect(all.users.length).toBe(all.total);
    expect(all.cursor).toBeUndefined();
    expect((await json(["invite", "list", "--status", "active"], "net.openfederation.invite.list")).invites.map((i: { code: string }) => i.code)).toContain(invite.code);
  });

  test("reject needs --yes without a terminal; with -y it rejects", async () => {
    const invite = await json(["invite", "create"]);
    const dave = await register("dave", invite.code);
    expect((await cli(["account", "reject", "dave"])).code).toBe(2);
    const r = await json(["account", "reject", "dave@example.org", "-y", "--reason", "test"], "net.openfederation.account.reject");
    expect(r).toMatchObject({ did: dave.did, status: "rejected" });
  });

  test("roles: show, add, remove", async () => {
    expect((await json(["account", "roles", user.did])).roles).toEqual(["user"]);
    const added = await json(["account", "roles", user.did, "--add", "moderator", "--add", "auditor"], "net.openfederation.account.updateRoles");
    expect(added.roles).toEqual(expect.arrayContaining(["moderator", "auditor", "user"]));
    const removed = await json(["account", "roles", "carol", "--remove", "moderator"], "net.openfederation.account.updateRoles");
    expect(removed.roles).not.toContain("moderator");
    expect((await cli(["account", "roles", "carol"])).stdout).toContain("auditor");
  });

  test("audit list shows what the CLI did", async () => {
    const log = await json(["audit", "list", "--limit", "100"], "net.openfederation.audit.list");
    const actions = log.entries.map((e: { action: string }) => e.action);
    for (const a of ["invite.create", "account.register", "account.approve", "account.reject", "account.roles.update", "session.create"]) expect(actions).toContain(a);
    const approvals = await json(["audit", "list", "--action", "account.*", "--target", user.did, "--all"]);
    expect(approvals.entries.every((e: { action: string; targetDid?: string }) => e.action.startsWith("account.") && e.targetDid === user.did)).toBe(true);
    expect((await cli(["audit", "list", "--action", "account.approve"])).stdout).toContain("account.approve");
  });

  test("unknown DID → exit 4; server down → exit 7", async () => {
    expect((await cli(["account", "approve", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"])).code).toBe(4);
    const down = await runCli(["auth", "whoami", "-s", `http://127.0.0.1:${await freePort()}`], { env: { XDG_CONFIG_HOME: home } });
    expect(down.code).toBe(3); // no session for that server: nothing is sent
    const login = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", `http://127.0.0.1:${await freePort()}`], { env: { XDG_CONFIG_HOME: home }, stdin: ADMIN_PASSWORD });
    expect(login.code).toBe(7);
  });

  test("logout revokes on the server: the old refresh token no longer refreshes (401)", async () => {
    const { refreshJwt } = saved()[pds.url];
    const r = await cli(["auth", "logout"]);
    expect(r.code).toBe(0);
    expect(saved()[pds.url]).toBeUndefined();
    const res = await fetch(`${pds.url}/xrpc/com.atproto.server.refreshSession`, { method: "POST", headers: { Authorization: `Bearer ${refreshJwt}` } });
    expect(res.status).toBe(401);
    expect((await cli(["auth", "whoami"])).code).toBe(3);
  });

  test("an invalid saved session whose refresh fails → exit 3 and the entry removed", async () => {
    expect((await cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: ADMIN_PASSWORD })).code).toBe(0);
    const file = saved();
    const { refreshJwt } = file[pds.url];
    // Revoke the session behind the CLI's back, and make the access token look expired.
    const del = await fetch(`${pds.url}/xrpc/com.atproto.server.deleteSession`, { method: "POST", headers: { Authorization: `Bearer ${refreshJwt}` } });
    expect(del.status).toBe(200);
    const r = await cli(["invite", "list"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("`ofpds auth login`");
    expect(saved()[pds.url]).toBeUndefined();
  });
});
