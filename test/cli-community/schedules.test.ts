// `ofpds community schedule|schedules|unschedule|snapshots|snapshot` against the real `serve --dev`: what each verb makes
// the server hold (read back through XRPC and the data dir), --json output, argument rules and exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-schedules-");
const PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const ADM = "net.openfederation.admin.";

let pds: RunningPds;
let home: string;
let bobHome: string;
let adminToken: string;
let community: { did: string; handle: string };

const cli = (args: string[], opts: { stdin?: string; home?: string } = {}) => runCli([...args, "-s", pds.url], { stdin: opts.stdin, env: { XDG_CONFIG_HOME: opts.home ?? home } });
async function json(args: string[], h?: string) {
  const r = await cli([...args, "--json"], { home: h });
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const schedules = async () => (await ok(call(pds.url, ADM + "listExportSchedules", { token: adminToken }))).schedules as any[];
const snapshots = async (did: string) => (await ok(call(pds.url, ADM + "listExportSnapshots", { token: adminToken, params: { communityDid: did } }))).snapshots as any[];
/** one scheduler check through the --dev trigger (twice: the first may join the at-start run) */
async function check() {
  for (let i = 0; i < 2; i++) expect((await fetch(`${pds.url}/_dev/jobs/export-scheduler`, { method: "POST" })).status).toBe(200);
}

beforeAll(async () => {
  home = dirs();
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
  adminToken = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: PASSWORD } }))).accessJwt;
  expect((await cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: PASSWORD })).code).toBe(0);
  const made = await ok(call(pds.url, "net.openfederation.community.create", { token: adminToken, body: { handle: "archive", didMethod: "plc" } }));
  community = { did: made.did, handle: made.handle };
  const invite = await ok(call(pds.url, "net.openfederation.invite.create", { token: adminToken, body: {} }));
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: "bob", email: "bob@example.org", password: USER_PASSWORD, inviteCode: invite.code } }));
  if (reg.status === "pending") await ok(call(pds.url, "net.openfederation.account.approve", { token: adminToken, body: { did: reg.did } }));
  bobHome = dirs();
  expect((await cli(["auth", "login", "-u", "bob", "--password-stdin"], { home: bobHome, stdin: USER_PASSWORD })).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

describe("schedule", () => {
  test("argument rules: missing or bad --interval, bad --retention → exit 2, nothing scheduled", async () => {
    for (const args of [["archive"], ["archive", "--interval", "hourly"], ["archive", "--interval", "daily", "--retention", "101"], ["archive", "--interval", "daily", "--retention", "0"]]) {
      const r = await cli(["community", "schedule", ...args]);
      expect(r.code).toBe(2);
    }
    expect(await schedules()).toEqual([]);
  });

  test("a non-admin → exit 3 (Forbidden), nothing scheduled; unknown community → exit 4", async () => {
    const r = await cli(["community", "schedule", "archive", "--interval", "daily", "--json"], { home: bobHome });
    expect(r.code).toBe(3);
    expect(await schedules()).toEqual([]);
    expect((await cli(["community", "schedule", "nosuchcommunity", "--interval", "daily"])).code).toBe(4);
  });

  test("--interval daily --retention 3 → the server holds it; again with --disable keeps the id", async () => {
    const first = await json(["community", "schedule", "archive", "--interval", "daily", "--retention", "3"]);
    expect(first).toMatchObject({ communityDid: community.did, interval: "daily", retentionCount: 3, enabled: true });
    const second = await json(["community", "schedule", community.did, "--interval", "weekly", "--disable"]);
    expect(second).toMatchObject({ id: first.id, interval: "weekly", enabled: false });
    expect((await schedules()).map((s) => [s.id, s.interval, s.enabled])).toEqual([[first.id, "weekly", false]]);
    await json(["community", "schedule", "archive", "--interval", "daily", "--retention", "3"]);
  });
});

describe("schedules, snapshots, snapshot", () => {
  test("schedules --json lists what the server holds, with the last outcome after a check", async () => {
    await check();
    const out = await json(["community", "schedules"]);
    expect(out.schedules).toEqual(await schedules());
    expect(out.schedules[0]).toMatchObject({ communityHandle: community.handle, lastStatus: "success" });
    const human = await cli(["community", "schedules"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(community.handle);
  });

  test("snapshots --json lists the server's snapshots; snapshot -o writes the CAR (0600) with the recorded SHA-256", async () => {
    const listed = await json(["community", "snapshots", "archive"]);
    const server = await snapshots(community.did);
    expect(server.length).toBe(1);
    expect(listed.snapshots).toEqual(server);
    const file = join(dirs(), "archive.car");
    const got = await json(["community", "snapshot", server[0].id, "-o", file]);
    const bytes = readFileSync(file);
    expect(got).toEqual({ id: server[0].id, output: file, bytes: bytes.byteLength, sha256: server[0].sha256 });
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(server[0].sha256);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("snapshot without -o → exit 2; unknown id → exit 4; a non-owner non-admin → exit 3", async () => {
    const id = (await snapshots(community.did))[0].id;
    expect((await cli(["community", "snapshot", id])).code).toBe(2);
    expect((await cli(["community", "snapshot", "no-such-id", "-o", join(dirs(), "x.car")])).code).toBe(4);
    const denied = join(dirs(), "denied.car");
    expect((await cli(["community", "snapshot", id, "-o", denied], { home: bobHome })).code).toBe(3);
    expect(existsSync(denied)).toBe(false);
  });
});

describe("unschedule", () => {
  test("--delete-snapshots without -y and without a terminal → exit 2, nothing deleted", async () => {
    const r = await cli(["community", "unschedule", "archive", "--delete-snapshots"]);
    expect(r.code).toBe(2);
    expect((await schedules()).length).toBe(1);
    expect((await snapshots(community.did)).length).toBe(1);
  });

  test("--delete-snapshots -y removes the schedule, the rows and the files; again → exit 4", async () => {
    const key = (await snapshots(community.did))[0].storageKey;
    expect(existsSync(join(pds.dataDir, "exports", key))).toBe(true);
    const out = await json(["community", "unschedule", "archive", "--delete-snapshots", "-y"]);
    expect(out).toEqual({ community: community.handle, deleteSnapshots: true, success: true });
    expect(await schedules()).toEqual([]);
    expect(await snapshots(community.did)).toEqual([]);
    expect(existsSync(join(pds.dataDir, "exports", key))).toBe(false);
    expect((await cli(["community", "unschedule", "archive"])).code).toBe(4);
  });
});
