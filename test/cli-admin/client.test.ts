// CLI client behaviour through the real command against the real `serve --dev`: sessions, refresh, errors → exit codes, verbs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, runCli, tempDirs, waitFor } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-admin-");
const mode = (p: string) => statSync(p).mode & 0o777;
const PASSWORD = "correct horse battery 1";
const USER_PASSWORD = "User-password-5678";
const MIN = 60_000;

let pds: RunningPds;
let adminToken: string;
beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
  adminToken = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: PASSWORD } }))).accessJwt;
});
afterAll(async () => {
  await pds?.stop();
});

interface LogLine {
  msg?: string;
  path?: string | null;
  status?: number;
}
let sentinel = 0;
/**
 * The server's request log lines so far. A line is written as a request finishes, possibly after the CLI has
 * read the response and exited, so first a sentinel request is sent and its line awaited: lines come in order,
 * so every earlier request's line is in by then.
 */
async function requestLog(): Promise<LogLine[]> {
  const mark = `sentinel${++sentinel}`;
  await fetch(`${pds.url}/xrpc/${mark}`);
  const lines = () => pds.logs().split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l) as LogLine; } catch { return {}; } });
  await waitFor(async () => lines().some((l) => l.path?.includes(mark)), 10_000, "the sentinel request's log line");
  return lines().filter((l) => l.msg === "request");
}
const callsTo = async (nsid: string) => (await requestLog()).filter((l) => l.path === `/xrpc/${nsid}`);

/** Runs `fn` with the server's clock moved by `ms`, then puts it back. */
async function withClock<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  pds.advanceClock(ms);
  try {
    return await fn();
  } finally {
    pds.advanceClock(-ms);
  }
}

/** A fresh config home, and a CLI runner bound to it and to the server. */
function setup() {
  const home = dirs();
  const env = { XDG_CONFIG_HOME: home };
  const cli = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    runCli([...args, "-s", pds.url], { stdin: opts.stdin, env: { ...env, ...opts.env } });
  const sessionsPath = join(home, "ofpds", "sessions.json");
  const saved = () => JSON.parse(readFileSync(sessionsPath, "utf8"));
  const entry = () => saved()[pds.url] as { did: string; handle: string; accessJwt: string; refreshJwt: string } | undefined;
  return { home, env, cli, sessionsPath, saved, entry };
}

async function loggedIn(identifier = "admin", password = PASSWORD) {
  const s = setup();
  const r = await s.cli(["auth", "login", "-u", identifier, "--password-stdin"], { stdin: password + "\n" });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return s;
}

const getSession = (token: string) => call(pds.url, "com.atproto.server.getSession", { token });
const refreshRotations = async (refreshJwt: string) => {
  const sid = JSON.parse(Buffer.from(refreshJwt.split(".")[1]!, "base64url").toString()).sid as string;
  const db = await openTestDatabase(pds.dataDir);
  try {
    return (await db.raw.get<{ n: number }>("SELECT count(*) AS n FROM refresh_tokens WHERE sid = ? AND rotated_at IS NOT NULL", [sid]))!.n;
  } finally {
    await db.close();
  }
};

let userSeq = 0;
/** Registers a user through XRPC with an admin-made invite; pending until approved. */
async function register(prefix = "user") {
  const name = `${prefix}${++userSeq}`;
  const invite = await ok(call(pds.url, "net.openfederation.invite.create", { token: adminToken, body: {} }));
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: invite.code } }));
  return reg as { did: string; handle: string; status: string };
}
async function approvedUser(prefix = "user") {
  const u = await register(prefix);
  await ok(call(pds.url, "net.openfederation.account.approve", { token: adminToken, body: { did: u.did } }));
  return u;
}
const accountStatus = async (did: string) => {
  const list = await ok(call(pds.url, "net.openfederation.account.list", { token: adminToken, params: { limit: 100 } }));
  return (list.users as Array<{ did: string; status: string }>).find((u) => u.did === did)?.status;
};

describe("auth login", () => {
  test("--password-stdin: sessions.json 0600 in a 0700 dir under XDG_CONFIG_HOME, tokens never printed, the saved session works", async () => {
    const s = setup();
    const r = await s.cli(["auth", "login", "-u", "admin", "--password-stdin", "--json"], { stdin: PASSWORD + "\n" });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ server: pds.url, did: expect.stringMatching(/^did:plc:/), handle: expect.stringMatching(/^admin\./) });
    expect(mode(join(s.home, "ofpds"))).toBe(0o700);
    expect(mode(s.sessionsPath)).toBe(0o600);
    const entry = s.entry()!;
    expect(entry).toMatchObject({ did: out.did, handle: out.handle });
    expect(r.stdout).not.toContain(entry.accessJwt);
    expect(r.stdout).not.toContain(entry.refreshJwt);
    const me = await getSession(entry.accessJwt);
    expect([me.status, me.body.did]).toEqual([200, out.did]);
  });
  test("--password-file (one trailing newline ignored), human result line on stdout, no ANSI", async () => {
    const s = setup();
    const pw = join(s.home, "pw.txt");
    writeFileSync(pw, PASSWORD + "\n");
    const r = await s.cli(["auth", "login", "-u", "admin", "--password-file", pw, "--allow-takendown"]);
    expect(r.code).toBe(0);
    const { did, handle } = s.entry()!;
    expect(r.stdout).toBe(`Logged in to ${pds.url} as ${handle} (${did})\n`);
    expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
  });
  test("wrong password → exit 3 with the server's message and error name, nothing saved", async () => {
    const s = setup();
    const r = await s.cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: "nope" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Invalid identifier or password (Unauthorized)");
    expect(existsSync(s.sessionsPath)).toBe(false);
  });
  test("--no-input without a password source → exit 2 naming --password-file and --password-stdin, nothing sent", async () => {
    const s = setup();
    const n = (await callsTo("com.atproto.server.createSession")).length;
    const r = await s.cli(["auth", "login", "-u", "admin", "--no-input"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("--password-file");
    expect(r.stderr).toContain("--password-stdin");
    expect((await callsTo("com.atproto.server.createSession")).length).toBe(n);
  });
  test("without an identifier and a terminal every missing input is listed at once", async () => {
    const r = await setup().cli(["auth", "login"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing required arguments: -u/--identifier, --password-file or --password-stdin");
  });
  test("--password x is a usage error naming the alternatives; nothing is sent", async () => {
    const s = setup();
    const n = (await callsTo("com.atproto.server.createSession")).length;
    const r = await s.cli(["auth", "login", "-u", "admin", "--password", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--password-file");
    expect((await callsTo("com.atproto.server.createSession")).length).toBe(n);
    expect(existsSync(s.sessionsPath)).toBe(false);
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
    expect(JSON.parse(viaSaved.stdout).did).toBe(s.entry()!.did);
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
    expect(JSON.parse(r.stdout)).toEqual((await ok(getSession(s.entry()!.accessJwt))));
  });
  test("an access token past its exp is refreshed before the call (never sent), and the new pair saved", async () => {
    // Logged in while the server's clock was 16 minutes behind: the 15-minute token expired a minute ago by the wall clock.
    const s = await withClock(-16 * MIN, () => loggedIn());
    const before = s.entry()!;
    const log0 = (await requestLog()).length;
    const r = await s.cli(["auth", "whoami", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const after = s.entry()!;
    expect(after.refreshJwt).not.toBe(before.refreshJwt);
    expect(await refreshRotations(before.refreshJwt)).toBe(1);
    // refresh first, then one getSession that succeeded: the expired token was not tried
    const calls = (await requestLog()).slice(log0).filter((l) => !l.path?.includes("sentinel")).map((l) => [l.path, l.status]);
    expect(calls).toEqual([["/xrpc/com.atproto.server.refreshSession", 200], ["/xrpc/com.atproto.server.getSession", 200]]);
    expect((await getSession(after.accessJwt)).status).toBe(200);
  });
  test("ExpiredToken from the server triggers one refresh and one retry", async () => {
    const s = await loggedIn();
    const before = s.entry()!;
    // 16 minutes pass on the server only: the CLI still sees time left, the server answers ExpiredToken.
    const { r, calls } = await withClock(16 * MIN, async () => {
      const log0 = (await requestLog()).length;
      const r = await s.cli(["auth", "whoami", "--json"]);
      return { r, calls: (await requestLog()).slice(log0).filter((l) => !l.path?.includes("sentinel")).map((l) => [l.path, l.status]) };
    });
    expect(r.code).toBe(0);
    expect(calls).toEqual([["/xrpc/com.atproto.server.getSession", 400], ["/xrpc/com.atproto.server.refreshSession", 200], ["/xrpc/com.atproto.server.getSession", 200]]);
    expect(await refreshRotations(before.refreshJwt)).toBe(1);
  });
  test("refresh is single-flight across processes: six concurrent commands, one refreshSession", async () => {
    // Logged in 14.5 minutes "ago" on the server: the token has 30 s left, inside the CLI's 60 s refresh margin.
    const s = await withClock(-14.5 * MIN, () => loggedIn());
    const before = s.entry()!;
    const n = (await callsTo("com.atproto.server.refreshSession")).length;
    const results = await Promise.all(Array.from({ length: 6 }, () => s.cli(["auth", "whoami", "--json"])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect((await callsTo("com.atproto.server.refreshSession")).length).toBe(n + 1);
    expect(await refreshRotations(before.refreshJwt)).toBe(1);
    expect(existsSync(s.sessionsPath + ".lock")).toBe(false);
  });
  test("a stale lock left by a crashed process is taken over", async () => {
    const s = await withClock(-16 * MIN, () => loggedIn());
    const before = s.entry()!;
    writeFileSync(s.sessionsPath + ".lock", "12345\n");
    const old = statSync(s.sessionsPath).mtimeMs / 1000 - 60; // older than the 10 s stale age, whatever the clock says now
    utimesSync(s.sessionsPath + ".lock", old, old);
    const r = await s.cli(["auth", "whoami"]);
    expect(r.code).toBe(0);
    expect(existsSync(s.sessionsPath + ".lock")).toBe(false);
    expect(await refreshRotations(before.refreshJwt)).toBe(1);
  });
  test("a refused refresh removes the entry and exits 3 with `ofpds auth login`", async () => {
    const s = await withClock(-16 * MIN, () => loggedIn());
    // the session is revoked behind the CLI's back, so the refresh it tries first is refused
    await ok(call(pds.url, "com.atproto.server.deleteSession", { token: s.entry()!.refreshJwt, body: {} }));
    const r = await s.cli(["invite", "list", "--json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    const err = JSON.parse(r.stderr.trim());
    expect(err).toMatchObject({ error: "InvalidToken", exitCode: 3 });
    expect(err.message).toContain("`ofpds auth login`");
    expect(s.saved()[pds.url]).toBeUndefined();
  });
  test("logout sends deleteSession with the refresh JWT, then forgets the session", async () => {
    const s = await loggedIn();
    const { refreshJwt, did, handle } = s.entry()!;
    const r = await s.cli(["auth", "logout", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ server: pds.url, did, handle, revoked: true });
    expect((await callsTo("com.atproto.server.deleteSession")).at(-1)!.status).toBe(200);
    // the server really revoked it: the refresh token no longer refreshes
    expect((await call(pds.url, "com.atproto.server.refreshSession", { token: refreshJwt, body: {} })).status).toBe(401);
    expect(s.saved()[pds.url]).toBeUndefined();
    expect((await s.cli(["auth", "whoami"])).code).toBe(3);
  });
});

describe("errors → exit codes (08 §1), from the real server", () => {
  const expectError = async (run: () => Promise<{ code: number; stdout: string; stderr: string }>, error: string, code: number) => {
    const r = await run();
    expect(r.code).toBe(code);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/\x1b\[/);
    const doc = JSON.parse(r.stderr.trim());
    expect(doc).toEqual({ error, message: expect.stringContaining(`(${error})`), exitCode: code });
  };
  test("InvalidRequest → 2, Forbidden → 3, NotFound → 4, AlreadyResolved → 5", async () => {
    const admin = await loggedIn();
    await expectError(() => admin.cli(["invite", "list", "--status", "bogus", "--json"]), "InvalidRequest", 2);
    const u = await approvedUser("plain");
    const user = await loggedIn(u.handle, USER_PASSWORD);
    await expectError(() => user.cli(["invite", "list", "--json"]), "Forbidden", 3);
    await expectError(() => admin.cli(["account", "approve", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "--json"]), "NotFound", 4);
    await expectError(() => admin.cli(["account", "approve", u.did, "--json"]), "AlreadyResolved", 5);
    const human = await admin.cli(["account", "approve", u.did]);
    expect(human.code).toBe(5);
    expect(human.stderr).toContain("(AlreadyResolved)");
  });
  test("server down → exit 7", async () => {
    const s = setup();
    const r = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", `http://127.0.0.1:${await freePort()}`, "--json"], { env: s.env, stdin: PASSWORD });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: "Unreachable", exitCode: 7 });
  });
  test("a slow server → exit 7 after --timeout", async () => {
    // The real server cannot be made to stall an answer, so this one test uses a local stand-in that accepts
    // the request and never answers; what is tested is the CLI's own deadline, not anything the server does.
    const stalled: Array<(r: Response) => void> = [];
    const standIn = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>((resolve) => stalled.push(resolve)) });
    try {
      const s = setup();
      const r = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "--timeout", "200", "-s", `http://127.0.0.1:${standIn.port}`], { env: s.env, stdin: PASSWORD });
      expect(r.code).toBe(7);
      expect(r.stderr).toContain("within 200 ms");
      expect(existsSync(s.sessionsPath)).toBe(false);
    } finally {
      stalled.forEach((resolve) => resolve(new Response("", { status: 503 })));
      standIn.stop(true);
    }
  });
});

describe("verbs: what they do on the server", () => {
  test("approve detects did, email and handle", async () => {
    const s = await loggedIn();
    const byDid = await register();
    const byEmail = await register();
    const byHandle = await register();
    const byFullHandle = await register();
    const forms: Array<[string, { did: string; handle: string }]> = [
      [byDid.did, byDid],
      [`${byEmail.handle.split(".")[0]!.toUpperCase()}@Example.org`, byEmail],
      [byHandle.handle.split(".")[0]!, byHandle],
      [byFullHandle.handle, byFullHandle],
    ];
    for (const [arg, u] of forms) {
      expect(await accountStatus(u.did)).toBe("pending");
      const r = await s.cli(["account", "approve", arg]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`Approved ${u.handle} (${u.did}): approved\n`);
      expect(await accountStatus(u.did)).toBe("approved");
    }
  });
  test("reject without a terminal needs --yes (exit 2, still pending); with -y it rejects with the reason", async () => {
    const s = await loggedIn();
    const u = await register();
    const no = await s.cli(["account", "reject", u.handle]);
    expect(no.code).toBe(2);
    expect(no.stderr).toContain("--yes");
    expect(await accountStatus(u.did)).toBe("pending");
    const yes = await s.cli(["account", "reject", u.handle, "-y", "--reason", "spam", "--json"]);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout)).toMatchObject({ did: u.did, status: "rejected" });
    expect(await accountStatus(u.did)).toBe("rejected");
    const audit = await ok(call(pds.url, "net.openfederation.audit.list", { token: adminToken, params: { action: "account.reject", targetDid: u.did } }));
    expect(JSON.stringify(audit.entries)).toContain("spam");
  });
  test("roles: no flags shows them; --add/--remove repeat and resolve the handle to a DID", async () => {
    const s = await loggedIn();
    const u = await approvedUser();
    const show = await s.cli(["account", "roles", u.handle, "--json"]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ did: u.did, handle: u.handle, roles: ["user"] });
    const byDid = await s.cli(["account", "roles", u.did]);
    expect(byDid.stdout).toBe(`${u.handle}: user\n`);
    await ok(call(pds.url, "net.openfederation.account.updateRoles", { token: adminToken, body: { did: u.did, addRoles: ["partner-manager"] } }));
    const upd = await s.cli(["account", "roles", u.handle, "--add", "moderator", "--add=auditor", "--remove", "partner-manager"]);
    expect(upd.stderr).toContain(`Updated roles of ${u.handle}`);
    expect(upd.code).toBe(0);
    expect(upd.stdout).toBe(`${u.handle}: auditor, moderator, user\n`);
    const readBack = JSON.parse((await s.cli(["account", "roles", u.did, "--json"])).stdout);
    expect([...readBack.roles].sort()).toEqual(["auditor", "moderator", "user"]);
    const missing = await s.cli(["account", "roles", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"]);
    expect(missing.code).toBe(4);
  });
  test("account list --all follows cursors into one {users, total} document", async () => {
    const s = await loggedIn();
    for (let i = 0; i < 4; i++) await register();
    const whole = await ok(call(pds.url, "net.openfederation.account.list", { token: adminToken, params: { limit: 100 } }));
    expect(whole.users.length).toBeGreaterThan(3);
    const r = await s.cli(["account", "list", "--all", "--limit", "3", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ users: whole.users, total: whole.total });
    const one = await s.cli(["account", "list", "--limit", "3", "--status", "pending", "--role", "user", "--search", "user"]);
    expect(one.code).toBe(0);
    expect(one.stdout.split("\n")[0]).toMatch(/^HANDLE\s+DID\s+EMAIL\s+STATUS\s+ROLES\s+CREATED$/);
    const rows = one.stdout.trim().split("\n").slice(1);
    expect(rows.length).toBe(3);
    expect(rows.every((row) => /\spending\s/.test(row))).toBe(true);
    expect(one.stderr).toContain("--cursor ");
  });
  test("invite create sends typed fields and prints the code; bad values are usage errors and create nothing", async () => {
    const s = await loggedIn();
    // a whole day about a month ahead: inside the server's 365-day limit
    const expires = new Date(Math.ceil(Date.now() / 86_400_000 + 30) * 86_400_000).toISOString();
    const r = await s.cli(["invite", "create", "--max-uses", "5", "--expires", expires, "--note", "meetup", "--bound-to", "a@example.org"]);
    expect(r.stderr).toContain("Invite created");
    expect(r.code).toBe(0);
    const code = r.stdout.trim();
    expect(r.stdout).toMatch(/^i[A-Za-z0-9_-]{16}\n$/);
    const list = async () => (await ok(call(pds.url, "net.openfederation.invite.list", { token: adminToken, params: { limit: 100 } }))).invites as Array<Record<string, unknown>>;
    expect((await list()).find((i) => i.code === code)).toMatchObject({ maxUses: 5, usesCount: 0, expiresAt: expires, note: "meetup", boundTo: "a@example.org", status: "active" });
    const j = await s.cli(["invite", "create", "--json"]);
    const made = JSON.parse(j.stdout);
    expect((await list()).find((i) => i.code === made.code)).toMatchObject({ code: made.code, maxUses: made.maxUses, status: "active" });
    const count = (await list()).length;
    expect((await s.cli(["invite", "create", "--max-uses", "0"])).code).toBe(2);
    expect((await s.cli(["invite", "create", "--expires", "someday"])).code).toBe(2);
    expect((await list()).length).toBe(count);
  });
  test("audit list maps --actor/--target/--since/--until and resolves a handle", async () => {
    const s = await loggedIn();
    const u = await approvedUser();
    const adminDid = s.entry()!.did;
    const r = await s.cli(["audit", "list", "--action", "account.*", "--actor", adminDid, "--target", u.handle, "--since", "2026-01-01", "--until", "2099-02-01T00:00:00Z", "--limit", "10", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const direct = await ok(call(pds.url, "net.openfederation.audit.list", { token: adminToken, params: { action: "account.*", actorDid: adminDid, targetDid: u.did, since: "2026-01-01T00:00:00.000Z", until: "2099-02-01T00:00:00.000Z", limit: 10 } }));
    const doc = JSON.parse(r.stdout);
    expect(doc.entries).toEqual(direct.entries);
    expect(doc.entries.map((e: { action: string }) => e.action)).toContain("account.approve");
    const human = await s.cli(["audit", "list", "--action", "account.approve", "--target", u.did]);
    expect(human.stdout).toContain("account.approve");
  });
  test("unknown flags are usage errors with a suggestion", async () => {
    const r = await setup().cli(["account", "list", "--stauts", "approved"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean --status?");
  });
});
