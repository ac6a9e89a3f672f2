// `ofpds account export` against the real `serve --dev`: the holder's and an admin's JSON and CAR, files 0600, refusals, restricted sessions.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { verifyRepoCar } from "@atproto/repo";
import { runCli, runOnTty, tempDirs } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";
import type { Database } from "../../src/db/database.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";
import { plcSigningKey } from "../e2e/_xrpc.ts";

const dirs = tempDirs("ofpds-cli-account-export-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
let pds: RunningPds;
let db: Database;
let adminHome: string;
let admin: { did: string; accessJwt: string };
const files = dirs();

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMITS_ENABLED: "false" });
  db = await openTestDatabase(pds.dataDir);
  adminHome = dirs();
  admin = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }));
  expect((await cli(adminHome, ["auth", "login", "-u", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")).code).toBe(0);
});
afterAll(async () => {
  await db?.close();
  await pds?.stop();
});

const cli = (home: string, args: string[], stdin?: string) => runCli([...args, "-s", pds.url], { stdin, env: { XDG_CONFIG_HOME: home } });
const holderOf = async (did: string) => (await db.raw.get<{ rev: string | null; at: string | null }>("SELECT holder_exported_rev AS rev, holder_exported_at AS at FROM accounts WHERE did = ?", [did]))!;
const headRev = async (did: string) => (await db.raw.get<{ rev: string }>("SELECT rev FROM repo_roots WHERE did = ?", [did]))!.rev;
const exportAudits = async (did: string) => (await db.raw.get<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'account.export' AND target_did = ?", [did]))!.n;
const mode = (path: string) => statSync(path).mode & 0o777;

/** An approved account with one post, signed in to the CLI in its own config dir. */
async function holder(name: string, opts: { login?: boolean } = {}) {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin.accessJwt, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin.accessJwt, body: { did: reg.did } }));
  const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password: USER_PASSWORD } }));
  await ok(call(pds.url, "com.atproto.repo.createRecord", { token: s.accessJwt, body: { repo: reg.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: `hi from ${name}`, createdAt: new Date().toISOString() } } }));
  const home = dirs();
  if (opts.login !== false) expect((await cli(home, ["auth", "login", "-u", name, "--password-stdin"], USER_PASSWORD + "\n")).code).toBe(0);
  return { did: reg.did as string, name, home };
}

describe("the holder", () => {
  test("JSON to stdout (with or without --json): the export document with the email; it counts for the export rule", async () => {
    const u = await holder("erin");
    const r = await cli(u.home, ["account", "export", "erin", "--json"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const doc = JSON.parse(r.stdout);
    expect(doc.account).toMatchObject({ did: u.did, handle: "erin.test", email: "erin@example.org", status: "approved" });
    expect(doc.exportedBy).toBe(u.did);
    expect(doc.collections["app.bsky.feed.post"].map((x: any) => x.record.text)).toEqual(["hi from erin"]);
    expect(await holderOf(u.did)).toEqual({ rev: await headRev(u.did), at: doc.exportedAt });
    const plain = await cli(u.home, ["account", "export", u.did]);
    expect([plain.code, JSON.parse(plain.stdout).account.did]).toEqual([0, u.did]);
  });

  test("CAR to a 0600 file with --json: {did, format, output, bytes}; the file verifies against the PLC key; it counts", async () => {
    const u = await holder("fern");
    const out = join(files, "fern.car");
    const r = await cli(u.home, ["account", "export", "fern.test", "--format", "car", "-o", out, "--json"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const bytes = new Uint8Array(readFileSync(out));
    expect(JSON.parse(r.stdout)).toEqual({ did: u.did, format: "car", output: out, bytes: bytes.byteLength });
    expect(mode(out)).toBe(0o600);
    const verified = await verifyRepoCar(bytes, u.did, await plcSigningKey(pds.plcUrl, u.did));
    expect(verified.creates.map((c) => c.collection).sort()).toEqual(["app.bsky.actor.profile", "app.bsky.feed.post"]);
    expect((await holderOf(u.did)).rev).toBe(await headRev(u.did));
  });

  test("a suspended holder signs in with --allow-takendown and exports by handle; it counts", async () => {
    const u = await holder("gale", { login: false });
    await ok(call(pds.url, "com.atproto.admin.updateSubjectStatus", { token: admin.accessJwt, body: { subject: { $type: "com.atproto.admin.defs#repoRef", did: u.did }, deactivated: { applied: true } } }));
    expect((await cli(u.home, ["auth", "login", "-u", "gale", "--allow-takendown", "--password-stdin"], USER_PASSWORD + "\n")).code).toBe(0);
    const out = join(files, "gale.json");
    const r = await cli(u.home, ["account", "export", "gale", "-o", out]);
    expect(r.code).toBe(0);
    expect(mode(out)).toBe(0o600);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect([doc.account.status, doc.account.email]).toEqual(["suspended", "gale@example.org"]);
    expect((await holderOf(u.did)).rev).toBe(await headRev(u.did));
  });

  test("another account's DID → Forbidden, exit 3, nothing recorded", async () => {
    const u = await holder("hana");
    const v = await holder("ivor");
    const r = await cli(u.home, ["account", "export", v.did, "--json"]);
    expect([r.code, JSON.parse(r.stderr).error]).toEqual([3, "Forbidden"]);
    expect([await holderOf(v.did), await exportAudits(v.did)]).toEqual([{ rev: null, at: null }, 0]);
  });
});

describe("an admin", () => {
  test("exports by handle or email: no email in the document, written 0600, never counts", async () => {
    const u = await holder("juno");
    const out = join(files, "juno.json");
    const r = await cli(adminHome, ["account", "export", "juno@example.org", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(out); // the one-line summary; stdout stays empty without --json
    expect(r.stdout).toBe("");
    expect(mode(out)).toBe(0o600);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect([doc.account.did, doc.account.email, doc.exportedBy]).toEqual([u.did, undefined, admin.did]);
    const car = join(files, "juno.car");
    expect((await cli(adminHome, ["account", "export", "juno", "--format", "car", "-o", car])).code).toBe(0);
    expect((await verifyRepoCar(new Uint8Array(readFileSync(car)), u.did, await plcSigningKey(pds.plcUrl, u.did))).creates.length).toBe(2);
    expect(await holderOf(u.did)).toEqual({ rev: null, at: null });
    expect(await exportAudits(u.did)).toBe(2);
  });

  test("an unknown DID → NotFound, exit 4", async () => {
    const r = await cli(adminHome, ["account", "export", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "--json"]);
    expect([r.code, JSON.parse(r.stderr).error]).toEqual([4, "NotFound"]);
  });
});

describe("argument rules (exit 2, nothing sent)", () => {
  test("a bad --format; CAR with --json but no -o; CAR to a terminal without -o", async () => {
    const u = await holder("kira");
    const before = await exportAudits(u.did);
    const bad = await cli(u.home, ["account", "export", "kira", "--format", "zip"]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("--format must be json or car")]);
    const both = await cli(u.home, ["account", "export", "kira", "--format", "car", "--json"]);
    expect(both.code).toBe(2);
    const tty = await runOnTty(["account", "export", "kira", "--format", "car", "-s", pds.url], "stdout is a terminal", "", { XDG_CONFIG_HOME: u.home });
    expect(tty.code).toBe(2);
    expect([await exportAudits(u.did), await holderOf(u.did)]).toEqual([before, { rev: null, at: null }]);
  }, 30_000);
});
