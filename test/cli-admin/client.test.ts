// CLI client behaviour through the real command against a scripted server: sessions, refresh, errors → exit codes.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, runCli, tempDirs } from "../_support/process.ts";
import { fakeJwt, startFakePds } from "./_fake-pds.ts";

const dirs = tempDirs("ofpds-cli-admin-");
const mode = (p: string) => statSync(p).mode & 0o777;
const PASSWORD = "correct horse battery";
const accounts = Array.from({ length: 7 }, (_, i) => ({
  did: `did:plc:user${i}`,
  handle: `user${i}.test`,
  email: `user${i}@example.org`,
  status: i % 2 ? "approved" : "pending",
  roles: ["user"],
  createdAt: new Date(Date.UTC(2026, 0, i + 1)).toISOString(),
}));
const fake = startFakePds({ accounts, refreshDelayMs: 150 });
afterAll(() => fake.stop());

/** A fresh config home, and a CLI runner bound to it and to the fake server. */
function setup() {
  const home = dirs();
  const env = { XDG_CONFIG_HOME: home };
  const cli = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    runCli([...args, "-s", fake.url], { stdin: opts.stdin, env: { ...env, ...opts.env } });
  const sessionsPath = join(home, "ofpds", "sessions.json");
  const saved = () => JSON.parse(readFileSync(sessionsPath, "utf8"));
  return { home, env, cli, sessionsPath, saved };
}

async function loggedIn() {
  const s = setup();
  const r = await s.cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: PASSWORD + "\n" });
  expect(r.code).toBe(0);
  return s;
}

describe("auth login", () => {
  test("--password-stdin: sessions.json 0600 in a 0700 dir under XDG_CONFIG_HOME, tokens never printed", async () => {
    const s = setup();
    const r = await s.cli(["auth", "login", "-u", "admin", "--password-stdin", "--json"], { stdin: PASSWORD + "\n" });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ server: fake.url, did: "did:plc:admin", handle: "admin.test" });
    expect(r.stdout).not.toContain("Jwt");
    expect(mode(join(s.home, "ofpds"))).toBe(0o700);
    expect(mode(s.sessionsPath)).toBe(0o600);
    const entry = s.saved()[fake.url];
    expect(entry).toMatchObject({ did: "did:plc:admin", handle: "admin.test", accessJwt: expect.any(String), refreshJwt: expect.any(String) });
    expect(fake.callsTo("com.atproto.server.createSession").at(-1)!.body).toEqual({ identifier: "admin", password: PASSWORD });
  });
  test("--password-file (one trailing newline ignored), human result line on stdout, no ANSI", async () => {
    const s = setup();
    const pw = join(s.home, "pw.txt");
    writeFileSync(pw, PASSWORD + "\n");
    const r = await s.cli(["auth", "login", "-u", "admin", "--password-file", pw, "--allow-takendown"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Logged in to ${fake.url} as admin.test (did:plc:admin)\n`);
    expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
    expect(fake.callsTo("com.atproto.server.createSession").at(-1)!.body).toMatchObject({ allowTakendown: true });
  });
  test("wrong password → exit 3 with the server's message and error name", async () => {
    const s = setup();
    const r = await s.cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: "nope" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Invalid identifier or password (Unauthorized)");
    expect(existsSync(s.sessionsPath)).toBe(false);
  });
  test("--no-input without a password source → exit 2 naming --password-file and --password-stdin", async () => {
    const s = setup();
    const r = await s.cli(["auth", "login", "-u", "admin", "--no-input"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("--password-file");
    expect(r.stderr).toContain("--password-stdin");
  });
  test("without an identifier and a terminal every missing input is listed at once", async () => {
    const r = await setup().cli(["auth", "login"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing required arguments: -u/--identifier, --password-file or --password-stdin");
  });
  test("--password x is a usage error naming the alternatives", async () => {
    const r = await setup().cli(["auth", "login", "-u", "admin", "--password", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--password-file");
    expect(fake.callsTo("com.atproto.server.createSession").every((c) => c.body.password !== "x")).toBe(true);
  });
  test("loose permissions on an existing sessions file and dir are tightened with a warning", async () => {
    const s = await loggedIn();
    chmodSync(join(s.home, "ofpds"), 0o755);
    chmodSync(s.sessionsPath, 0o644);
    const r = await s.cli(["auth", "whoami"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Tightened permissions");
    expect(mode(join(s.home, "ofpds"))).toBe(0o700);
    expect(mode(s.sessionsPath)).toBe(0o600);
  });
});

describe("server resolution", () => {
  test("without --server: OFPDS_SERVER, else the saved session's server", async () => {
    const s = await loggedIn();
    const viaSaved = await runCli(["auth", "whoami", "--json"], { env: s.env });
    expect(viaSaved.code).toBe(0);
    const viaEnv = await runCli(["auth", "whoami"], { env: { ...s.env, OFPDS_SERVER: `http://127.0.0.1:${await freePort()}` } });
    expect(viaEnv.code).toBe(3); // not logged in there
    expect(viaEnv.stderr).toContain("Not logged in to http://127.0.0.1:");
  });
  test("a bad --server or --timeout is a usage error", async () => {
    const s = setup();
    expect((await runCli(["auth", "whoami", "-s", "ftp://x"], { env: s.env })).code).toBe(2);
    expect((await s.cli(["auth", "whoami", "--timeout", "soon"])).code).toBe(2);
  });
});

describe("sessions: refresh and logout", () => {
  test("whoami --json prints the getSession body", async () => {
    const s = await loggedIn();
    const r = await s.cli(["auth", "whoami", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ did: "did:plc:admin", handle: "admin.test", email: "admin@example.org", emailConfirmed: false, active: true, roles: ["admin", "user"], accountStatus: "approved" });
  });
  test("an expired access token is refreshed before the call and the new pair saved", async () => {
    const s = await loggedIn();
    const file = s.saved();
    file[fake.url].accessJwt = fakeJwt("at+jwt", -10);
    writeFileSync(s.sessionsPath, JSON.stringify(file));
    const before = file[fake.url].refreshJwt;
    // The token is not one the server issued, but it is past exp, so the client refreshes without trying it.
    const r = await s.cli(["auth", "whoami", "--json"]);
    expect(r.code).toBe(0);
    expect(s.saved()[fake.url].refreshJwt).not.toBe(before);
    expect(fake.sessions.has(before)).toBe(false);
  });
  test("ExpiredToken from the server triggers one refresh and one retry", async () => {
    const s = await loggedIn();
    fake.canned.set("com.atproto.server.getSession", { status: 400, body: { error: "ExpiredToken", message: "Token has expired" } });
    const n = fake.callsTo("com.atproto.server.refreshSession").length;
    const r = await s.cli(["auth", "whoami"]);
    fake.canned.delete("com.atproto.server.getSession");
    expect(r.code).toBe(3);
    expect(fake.callsTo("com.atproto.server.refreshSession").length).toBe(n + 1);
    expect(r.stderr).toContain("Token has expired (ExpiredToken)");
  });
  test("refresh is single-flight across processes: six concurrent commands, one refreshSession", async () => {
    const s = await loggedIn();
    const file = s.saved();
    file[fake.url].accessJwt = fakeJwt("at+jwt", 5); // inside the refresh margin
    writeFileSync(s.sessionsPath, JSON.stringify(file));
    const n = fake.callsTo("com.atproto.server.refreshSession").length;
    const results = await Promise.all(Array.from({ length: 6 }, () => s.cli(["auth", "whoami", "--json"])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(fake.callsTo("com.atproto.server.refreshSession").length).toBe(n + 1);
    expect(existsSync(s.sessionsPath + ".lock")).toBe(false);
  });
  test("a stale lock left by a crashed process is taken over", async () => {
    const s = await loggedIn();
    const file = s.saved();
    file[fake.url].accessJwt = fakeJwt("at+jwt", -1);
    writeFileSync(s.sessionsPath, JSON.stringify(file));
    writeFileSync(s.sessionsPath + ".lock", "12345\n");
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(s.sessionsPath + ".lock", old, old);
    const r = await s.cli(["auth", "whoami"]);
    expect(r.code).toBe(0);
    expect(existsSync(s.sessionsPath + ".lock")).toBe(false);
  });
  test("a refused refresh removes the entry and exits 3 with `ofpds auth login`", async () => {
    const s = await loggedIn();
    const file = s.saved();
    file[fake.url] = { ...file[fake.url], accessJwt: fakeJwt("at+jwt", -10), refreshJwt: fakeJwt("refresh+jwt", 100) };
    writeFileSync(s.sessionsPath, JSON.stringify(file));
    const r = await s.cli(["invite", "list", "--json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    const err = JSON.parse(r.stderr.trim());
    expect(err).toMatchObject({ error: "InvalidToken", exitCode: 3 });
    expect(err.message).toContain("`ofpds auth login`");
    expect(s.saved()[fake.url]).toBeUndefined();
  });
  test("logout sends deleteSession with the refresh JWT, then forgets the session", async () => {
    const s = await loggedIn();
    const { refreshJwt } = s.saved()[fake.url];
    const r = await s.cli(["auth", "logout", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ server: fake.url, did: "did:plc:admin", handle: "admin.test", revoked: true });
    expect(fake.callsTo("com.atproto.server.deleteSession").at(-1)!.authorization).toBe(`Bearer ${refreshJwt}`);
    expect(fake.sessions.has(refreshJwt)).toBe(false);
    expect(s.saved()[fake.url]).toBeUndefined();
    expect((await s.cli(["auth", "whoami"])).code).toBe(3);
  });
});

describe("errors → exit codes (08 §1)", () => {
  test.each([
    [400, "InvalidRequest", "Bad limit", 2],
    [401, "AuthRequired", "Authentication required", 3],
    [403, "Forbidden", "Not permitted", 3],
    [403, "AccountSuspended", "Account is suspended", 3],
    [410, "AccountTakenDown", "Account is taken down", 3],
    [404, "NotFound", "No such account", 4],
    [400, "RepoNotFound", "Could not find repo", 4],
    [400, "AlreadyResolved", "Account is not awaiting approval", 5],
    [400, "InvalidSwap", "Swap mismatch", 5],
    [409, "AccountExists", "Handle taken", 5],
    [429, "AccountLocked", "Too many failed logins", 6],
    [429, "RateLimitExceeded", "Rate limit exceeded", 6],
    [500, "InternalServerError", "An internal error occurred", 1],
    [502, "UpstreamFailure", "PLC failed", 1],
  ])("%i %s (%s) → exit %i", async (status, error, message, code) => {
    const s = await loggedIn();
    fake.canned.set("net.openfederation.invite.list", { status, body: { error, message }, headers: status === 429 ? { "Retry-After": "30" } : {} });
    const human = await s.cli(["invite", "list"]);
    const json = await s.cli(["invite", "list", "--json"]);
    fake.canned.delete("net.openfederation.invite.list");
    expect(human.code).toBe(code);
    expect(human.stdout).toBe("");
    expect(human.stderr).toContain(`${message} (${error})`);
    expect(human.stderr).not.toMatch(/\x1b\[/);
    expect(json.code).toBe(code);
    expect(json.stdout).toBe("");
    expect(JSON.parse(json.stderr.trim())).toEqual({ error, message: expect.stringContaining(`${message} (${error})`), exitCode: code });
  });
  test("an unknown method names the server and the method (exit 4)", async () => {
    const s = await loggedIn();
    const r = await s.cli(["audit", "list"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("(MethodNotFound)");
    expect(r.stderr).toContain("net.openfederation.audit.list");
  });
  test("server down → exit 7", async () => {
    const s = setup();
    const r = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", `http://127.0.0.1:${await freePort()}`, "--json"], { env: s.env, stdin: PASSWORD });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: "Unreachable", exitCode: 7 });
  });
  test("a slow server → exit 7 after --timeout", async () => {
    const s = await loggedIn();
    fake.canned.set("net.openfederation.invite.list", { status: 200, body: { invites: [], total: 0 }, delayMs: 2000 });
    const r = await s.cli(["invite", "list", "--timeout", "200"]);
    fake.canned.delete("net.openfederation.invite.list");
    expect(r.code).toBe(7);
    expect(r.stderr).toContain("within 200 ms");
  });
});

describe("verbs: request shapes and output", () => {
  test("approve/reject detect did, email and handle", async () => {
    const s = await loggedIn();
    fake.canned.set("net.openfederation.account.approve", { status: 200, body: { did: "did:plc:x", handle: "x.test", email: "x@example.org", status: "approved" } });
    for (const [arg, field] of [["did:plc:x", { did: "did:plc:x" }], ["X@Example.org", { email: "x@example.org" }], ["x", { handle: "x" }], ["x.test", { handle: "x.test" }]] as const) {
      const r = await s.cli(["account", "approve", arg]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("Approved x.test (did:plc:x): approved\n");
      expect(fake.callsTo("net.openfederation.account.approve").at(-1)!.body).toEqual(field);
    }
    const j = await s.cli(["account", "approve", "x", "--json"]);
    expect(JSON.parse(j.stdout)).toEqual({ did: "did:plc:x", handle: "x.test", email: "x@example.org", status: "approved" });
    fake.canned.delete("net.openfederation.account.approve");
  });
  test("reject without a terminal needs --yes (exit 2, nothing sent); with -y sends the reason", async () => {
    const s = await loggedIn();
    fake.canned.set("net.openfederation.account.reject", { status: 200, body: { did: "did:plc:x", handle: "x.test", email: "x@example.org", status: "rejected" } });
    const n = fake.callsTo("net.openfederation.account.reject").length;
    const no = await s.cli(["account", "reject", "x"]);
    expect(no.code).toBe(2);
    expect(no.stderr).toContain("--yes");
    expect(fake.callsTo("net.openfederation.account.reject").length).toBe(n);
    const yes = await s.cli(["account", "reject", "x", "-y", "--reason", "spam", "--json"]);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout).status).toBe("rejected");
    expect(fake.callsTo("net.openfederation.account.reject").at(-1)!.body).toEqual({ handle: "x", reason: "spam" });
    fake.canned.delete("net.openfederation.account.reject");
  });
  test("roles: no flags shows them; --add/--remove repeat and resolve the handle to a DID", async () => {
    const s = await loggedIn();
    const show = await s.cli(["account", "roles", "user3", "--json"]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ did: "did:plc:user3", handle: "user3.test", roles: ["user"] });
    const byDid = await s.cli(["account", "roles", "did:plc:user6"]);
    expect(byDid.stdout).toBe("user6.test: user\n");
    fake.canned.set("net.openfederation.account.updateRoles", { status: 200, body: { did: "did:plc:user3", handle: "user3.test", roles: ["auditor", "user"] } });
    const upd = await s.cli(["account", "roles", "user3.test", "--add", "moderator", "--add=auditor", "--remove", "partner-manager"]);
    fake.canned.delete("net.openfederation.account.updateRoles");
    expect(upd.code).toBe(0);
    expect(upd.stdout).toBe("user3.test: auditor, user\n");
    expect(fake.callsTo("net.openfederation.account.updateRoles").at(-1)!.body).toEqual({ did: "did:plc:user3", addRoles: ["moderator", "auditor"], removeRoles: ["partner-manager"] });
    const missing = await s.cli(["account", "roles", "did:plc:nobody"]);
    expect(missing.code).toBe(4);
  });
  test("account list --all follows cursors into one {users, total} document", async () => {
    const s = await loggedIn();
    const r = await s.cli(["account", "list", "--all", "--limit", "3", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({ users: accounts, total: 7 });
    const one = await s.cli(["account", "list", "--limit", "3", "--status", "approved", "--role", "user", "--search", "user"]);
    expect(one.stdout.split("\n")[0]).toMatch(/^HANDLE\s+DID\s+EMAIL\s+STATUS\s+ROLES\s+CREATED$/);
    expect(one.stderr).toContain("--cursor 3");
    expect(fake.callsTo("net.openfederation.account.list").at(-1)!.params).toEqual({ status: ["approved"], role: ["user"], q: ["user"], limit: ["3"] });
  });
  test("invite create sends typed fields and prints the code; bad values are usage errors", async () => {
    const s = await loggedIn();
    const invite = { code: "abcdefghijklmnop", maxUses: 5, usesCount: 0, expiresAt: "2026-12-31T00:00:00.000Z", note: "meetup", createdAt: "2026-01-01T00:00:00.000Z", status: "active" };
    fake.canned.set("net.openfederation.invite.create", { status: 200, body: invite });
    const r = await s.cli(["invite", "create", "--max-uses", "5", "--expires", "2026-12-31T00:00:00Z", "--note", "meetup", "--bound-to", "a@example.org"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("abcdefghijklmnop\n");
    expect(fake.callsTo("net.openfederation.invite.create").at(-1)!.body).toEqual({ maxUses: 5, expiresAt: "2026-12-31T00:00:00.000Z", boundTo: "a@example.org", note: "meetup" });
    const j = await s.cli(["invite", "create", "--json"]);
    expect(JSON.parse(j.stdout)).toEqual(invite);
    fake.canned.delete("net.openfederation.invite.create");
    expect((await s.cli(["invite", "create", "--max-uses", "0"])).code).toBe(2);
    expect((await s.cli(["invite", "create", "--expires", "someday"])).code).toBe(2);
  });
  test("audit list maps --actor/--target/--since/--until and resolves a handle", async () => {
    const s = await loggedIn();
    fake.canned.set("net.openfederation.audit.list", { status: 200, body: { entries: [{ id: "3k1", action: "account.approve", actorType: "account", actorDid: "did:plc:admin", targetDid: "did:plc:user1", meta: {}, createdAt: "2026-01-02T00:00:00.000Z" }], total: 1 } });
    const r = await s.cli(["audit", "list", "--action", "account.*", "--actor", "did:plc:admin", "--target", "user1", "--since", "2026-01-01", "--until", "2026-02-01T00:00:00Z", "--limit", "10"]);
    fake.canned.delete("net.openfederation.audit.list");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("account.approve");
    expect(fake.callsTo("net.openfederation.audit.list").at(-1)!.params).toEqual({
      action: ["account.*"], actorDid: ["did:plc:admin"], targetDid: ["did:plc:user1"], since: ["2026-01-01T00:00:00.000Z"], until: ["2026-02-01T00:00:00.000Z"], limit: ["10"],
    });
  });
  test("unknown flags are usage errors with a suggestion", async () => {
    const r = await setup().cli(["account", "list", "--stauts", "approved"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean --status?");
  });
});
