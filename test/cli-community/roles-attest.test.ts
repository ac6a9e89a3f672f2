// Role and attestation verbs against the real `serve --dev` (08 §2): roles, role-create, role-update, role-delete,
// member-role, attest, attestations, revoke-attestation, verify-attestation — each with --json, checked by what the
// server holds afterwards (read back through XRPC), with exit codes for refusals and argument errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-roles-");
const PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const NS = "net.openfederation.community.";

let pds: RunningPds;
let home: string;
let adminToken: string;
let bob: { did: string; accessJwt: string };
let c: { did: string; handle: string };

const cli = (args: string[]) => runCli([...args, "-s", pds.url], { env: { XDG_CONFIG_HOME: home } });
async function json(args: string[]) {
  const r = await cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const roles = async () => (await ok(call(pds.url, NS + "listRoles", { params: { communityDid: c.did } }))).roles as Array<{ rkey: string; name: string; permissions: string[]; memberCount: number }>;
const roleOf = async (did: string) => ((await ok(call(pds.url, NS + "listMembers", { params: { did: c.did } }))).members as Array<{ did: string; roleRkey: string }>).find((m) => m.did === did)?.roleRkey;
const attestations = async () => (await ok(call(pds.url, NS + "listAttestations", { params: { communityDid: c.did } }))).attestations as Array<{ rkey: string; type: string; claim: unknown; subjectDid: string }>;
const head = async () => (await ok(call(pds.url, "com.atproto.sync.getLatestCommit", { params: { did: c.did } }))).cid as string;

beforeAll(async () => {
  home = dirs();
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
  adminToken = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: PASSWORD } }))).accessJwt;
  expect((await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", pds.url], { stdin: PASSWORD, env: { XDG_CONFIG_HOME: home } })).code).toBe(0);
  const invite = await ok(call(pds.url, "net.openfederation.invite.create", { token: adminToken, body: {} }));
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: "bob", email: "bob@example.org", password: USER_PASSWORD, inviteCode: invite.code } }));
  if (reg.status === "pending") await ok(call(pds.url, "net.openfederation.account.approve", { token: adminToken, body: { did: reg.did } }));
  const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "bob", password: USER_PASSWORD } }));
  bob = { did: s.did, accessJwt: s.accessJwt };
  const made = await ok(call(pds.url, NS + "create", { token: adminToken, body: { handle: "growers", didMethod: "plc" } }));
  c = { did: made.did, handle: made.handle };
  await ok(call(pds.url, NS + "join", { token: bob.accessJwt, body: { did: c.did } }));
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

describe("role verbs", () => {
  let rkey: string;

  test("roles --json lists the defaults with member counts (by bare name)", async () => {
    const out = await json(["community", "roles", "growers"]);
    expect(out.roles.map((r: any) => [r.rkey, r.memberCount])).toEqual([["owner", 1], ["moderator", 0], ["member", 1]]);
    const human = await cli(["community", "roles", "growers"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("moderator");
  });

  test("role-create: --permission repeatable and comma-separated, prefix optional; read back", async () => {
    const out = await json(["community", "role-create", "growers", "--name", "Greeters", "--description", "Say hi", "--permission", "member.read", "--permission", "community.member.write,role.read"]);
    rkey = out.rkey;
    expect(out.uri).toBe(`at://${c.did}/${NS}role/${rkey}`);
    expect((await roles()).find((r) => r.rkey === rkey)).toMatchObject({ name: "Greeters", permissions: ["community.member.read", "community.member.write", "community.role.read"] });
  });

  test("role-create: missing --name → exit 2; a taken name → exit 5 RoleNameTaken; a bad permission → exit 2; nothing written", async () => {
    const before = await head();
    const noName = await cli(["community", "role-create", "growers", "--json"]);
    expect(noName.code).toBe(2);
    const taken = await cli(["community", "role-create", "growers", "--name", "greeters", "--json"]);
    expect(taken.code).toBe(5);
    expect(JSON.parse(taken.stderr.trim().split("\n").pop()!)).toMatchObject({ error: "RoleNameTaken", exitCode: 5 });
    const bad = await cli(["community", "role-create", "growers", "--name", "X", "--permission", "fly"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid permissions: community.fly");
    expect(await head()).toBe(before);
  });

  test("role-update renames and replaces permissions; --no-permissions empties them; the owner role → exit 5 OwnerLockout", async () => {
    await json(["community", "role-update", "growers", rkey, "--name", "Hosts", "--permission", "member.read"]);
    expect((await roles()).find((r) => r.rkey === rkey)).toMatchObject({ name: "Hosts", permissions: ["community.member.read"] });
    await json(["community", "role-update", "growers", rkey, "--no-permissions"]);
    expect((await roles()).find((r) => r.rkey === rkey)!.permissions).toEqual([]);
    const lock = await cli(["community", "role-update", "growers", "owner", "--name", "boss", "--json"]);
    expect(lock.code).toBe(5);
    expect(lock.stderr).toContain("OwnerLockout");
    expect((await cli(["community", "role-update", "growers", rkey])).code).toBe(2);
  });

  test("member-role assigns by handle; role-delete refuses a held role (5), needs -y without a terminal (2), then deletes", async () => {
    const out = await json(["community", "member-role", "growers", "bob", rkey]);
    expect(out).toMatchObject({ role: "Hosts", roleRkey: rkey });
    expect(await roleOf(bob.did)).toBe(rkey);
    const owner = await cli(["community", "member-role", "growers", "bob", "owner", "--json"]);
    expect(owner.code).toBe(5);
    expect(owner.stderr).toContain("CannotChangeOwner");
    const inUse = await cli(["community", "role-delete", "growers", rkey, "-y", "--json"]);
    expect(inUse.code).toBe(5);
    expect(inUse.stderr).toContain("RoleInUse");
    await json(["community", "member-role", "growers", "bob", "member"]);
    expect((await cli(["community", "role-delete", "growers", rkey])).code).toBe(2);
    expect((await roles()).some((r) => r.rkey === rkey)).toBe(true);
    expect(await json(["community", "role-delete", "growers", rkey, "-y"])).toEqual({ success: true });
    expect((await roles()).some((r) => r.rkey === rkey)).toBe(false);
  });
});

describe("attestation verbs", () => {
  let rkey: string;

  test("attest with --claim, and with --claim-file and --expires; read back", async () => {
    const out = await json(["community", "attest", "growers", "bob", "--type", "credential", "--claim", '{"course":"composting"}']);
    rkey = out.rkey;
    const file = join(dirs(), "claim.json");
    writeFileSync(file, JSON.stringify({ level: 2 }));
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const second = await json(["community", "attest", "growers", bob.did, "--type", "membership", "--claim-file", file, "--expires", later]);
    const list = await attestations();
    expect(list.find((a) => a.rkey === rkey)).toMatchObject({ type: "credential", claim: { course: "composting" }, subjectDid: bob.did });
    expect(list.find((a) => a.rkey === second.rkey)).toMatchObject({ type: "membership", claim: { level: 2 }, expiresAt: later });
  });

  test("attest: no --type, bad JSON, both claim flags, bad or past --expires, a claim over 4096 bytes (ClaimTooLarge) → exit 2; nothing written", async () => {
    const before = await head();
    for (const args of [
      ["--claim", "{}"],
      ["--type", "credential", "--claim", "{not json"],
      ["--type", "credential", "--claim", "{}", "--claim-file", "x.json"],
      ["--type", "credential", "--claim", "{}", "--expires", "tomorrow"],
      ["--type", "credential", "--claim", "{}", "--expires", "2001-01-01T00:00:00Z"],
    ]) expect((await cli(["community", "attest", "growers", "bob", ...args, "--json"])).code).toBe(2);
    const big = await cli(["community", "attest", "growers", "bob", "--type", "credential", "--claim", JSON.stringify({ a: "x".repeat(5000) }), "--json"]);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain("ClaimTooLarge");
    expect(await head()).toBe(before);
  });

  test("attestations filters by --subject and --type; --all gives one document", async () => {
    const out = await json(["community", "attestations", "growers", "--subject", "bob", "--type", "credential"]);
    expect(out.attestations.map((a: any) => a.rkey)).toEqual([rkey]);
    const all = await json(["community", "attestations", "growers", "--all", "--limit", "1"]);
    expect(all.attestations).toHaveLength(2);
    expect(all.total).toBe(2);
  });

  test("verify-attestation exits 0 when valid; after revoke-attestation (-y, --reason) it exits 1 with reason not_found", async () => {
    const v = await json(["community", "verify-attestation", "growers", rkey]);
    expect(v).toMatchObject({ valid: true, remote: false, attestation: { rkey } });
    expect((await cli(["community", "revoke-attestation", "growers", rkey])).code).toBe(2);
    expect(await json(["community", "revoke-attestation", "growers", rkey, "-y", "--reason", "course withdrawn"])).toEqual({ success: true });
    expect((await attestations()).some((a) => a.rkey === rkey)).toBe(false);
    const after = await cli(["community", "verify-attestation", "growers", rkey, "--json"]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ valid: false, reason: "not_found" });
    expect(JSON.parse(after.stderr.trim().split("\n").pop()!)).toMatchObject({ error: "AttestationInvalid", exitCode: 1 });
    const missing = await cli(["community", "revoke-attestation", "growers", rkey, "-y", "--json"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("AttestationNotFound");
  });
});

test("the server logged no undeclared error name and no invalid output", () => {
  expect(pds.logs()).not.toContain("does not declare");
  expect(pds.logs()).not.toContain("does not match its lexicon");
});
