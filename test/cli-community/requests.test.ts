// Community verbs against the scripted fake server: request shapes, argument rules, confirmations, files and exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startFakePds } from "../cli-admin/_fake-pds.ts";

const dirs = tempDirs("ofpds-cli-community-");
const PASSWORD = "correct horse battery";
const NS = "net.openfederation.community.";
const fake = startFakePds();
const mode = (p: string) => statSync(p).mode & 0o777;
let home: string;

const cli = (args: string[], opts: { stdin?: string } = {}) => runCli([...args, "-s", fake.url], { stdin: opts.stdin, env: { XDG_CONFIG_HOME: home } });
const can = (method: string, status: number, body?: unknown) => fake.canned.set(NS + method, { status, body });
const last = (method: string) => fake.callsTo(NS + method).at(-1);
const count = (method: string) => fake.callsTo(NS + method).length;

const VIEW = { did: "did:plc:garden", handle: "gardeners.test", didMethod: "plc", displayName: "Gardeners", description: "", visibility: "public", joinPolicy: "open", governanceModel: "benevolent-dictator", memberCount: 2, createdAt: "2026-01-01T00:00:00.000Z", status: "active", owner: { did: "did:plc:admin", handle: "admin.test" }, isOwner: true, isMember: true };

beforeAll(async () => {
  home = dirs();
  fake.canned.set("com.atproto.server.describeServer", { status: 200, body: { did: "did:web:fake", availableUserDomains: [".test"], inviteCodeRequired: false } });
  fake.canned.set("com.atproto.identity.resolveHandle", { status: 200, body: { did: "did:plc:bob" } });
  can("get", 200, VIEW);
  const r = await cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: PASSWORD });
  expect(r.code).toBe(0);
});
afterAll(() => fake.stop());

describe("community create", () => {
  test("--no-input without --handle/--method → exit 2 listing both, even logged out, nothing sent", async () => {
    const n = count("create");
    const r = await runCli(["community", "create", "--no-input", "-s", fake.url], { env: { XDG_CONFIG_HOME: dirs() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing required arguments: --handle, --method");
    const one = await cli(["community", "create", "-n", "x", "--no-input"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("Missing required arguments: --method");
    expect(count("create")).toBe(n);
  });
  test("flag values are checked before anything is sent", async () => {
    const n = count("create");
    for (const bad of [["-m", "key"], ["-m", "plc", "--visibility", "secret"], ["-m", "plc", "--join-policy", "closed"], ["-m", "web"], ["-m", "plc", "--domain", "x.org"], ["-m", "web", "--domain", "x.org", "--rotation-key", "did:key:z"]]) {
      const r = await cli(["community", "create", "-n", "g", ...bad]);
      expect(r.code).toBe(2);
    }
    expect(count("create")).toBe(n);
  });
  test("plc: request body from every flag; the generated key is printed once in human mode", async () => {
    can("create", 200, { did: "did:plc:garden", handle: "gardeners.test", didMethod: "plc", status: "active", primaryRotationKey: { curve: "secp256k1", privateKeyHex: "ab".repeat(32), didKey: "did:key:zQ3shX" }, message: "Save this key now" });
    const r = await cli(["community", "create", "-n", "@Gardeners", "-m", "plc", "-d", "The Gardeners", "--description", "Plants", "--visibility", "private", "--join-policy", "approval"]);
    expect(r.code).toBe(0);
    expect(last("create")!.body).toEqual({ handle: "gardeners", didMethod: "plc", displayName: "The Gardeners", description: "Plants", visibility: "private", joinPolicy: "approval" });
    expect(last("create")!.authorization).toMatch(/^Bearer /);
    expect(r.stdout).toContain("Created gardeners.test (did:plc:garden): active");
    expect(r.stdout).toContain("ab".repeat(32));
    expect(r.stderr).toContain("Save this key now");
  });
  test("--key-out writes the key 0600 and leaves it out of stdout (--json)", async () => {
    const keyFile = join(dirs(), "key.json");
    const r = await cli(["community", "create", "--handle", "gardeners", "--method", "plc", "--key-out", keyFile, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({ did: "did:plc:garden", handle: "gardeners.test", didMethod: "plc", status: "active", message: "Save this key now" });
    expect(r.stdout).not.toContain("ab".repeat(32));
    expect(mode(keyFile)).toBe(0o600);
    expect(JSON.parse(readFileSync(keyFile, "utf8"))).toEqual({ curve: "secp256k1", privateKeyHex: "ab".repeat(32), didKey: "did:key:zQ3shX" });
  });
  test("web and --rotation-key reach the body", async () => {
    await cli(["community", "create", "-n", "g", "-m", "web", "--domain", "g.example.org"]);
    expect(last("create")!.body).toEqual({ handle: "g", didMethod: "web", domain: "g.example.org" });
    await cli(["community", "create", "-n", "g", "-m", "plc", "--rotation-key", "did:key:zOwn"]);
    expect(last("create")!.body).toEqual({ handle: "g", didMethod: "plc", rotationKey: "did:key:zOwn" });
  });
  test("server errors map to exit codes: 409 HandleTaken → 5, 400 InvalidDomain → 2", async () => {
    can("create", 409, { error: "HandleTaken", message: "Handle already taken" });
    const taken = await cli(["community", "create", "-n", "g", "-m", "plc", "--json"]);
    expect(taken.code).toBe(5);
    expect(taken.stdout).toBe("");
    expect(JSON.parse(taken.stderr)).toMatchObject({ error: "HandleTaken", exitCode: 5 });
    can("create", 400, { error: "InvalidDomain", message: "bad domain" });
    expect((await cli(["community", "create", "-n", "g", "-m", "web", "--domain", "x"])).code).toBe(2);
    fake.canned.delete(NS + "create");
  });
});

describe("reads", () => {
  test("get: a bare name gets the handle domain from describeServer; a DID passes through", async () => {
    const r = await cli(["community", "get", "gardeners", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(VIEW);
    expect(last("get")!.params).toEqual({ did: ["gardeners.test"] });
    await cli(["community", "get", "did:plc:garden"]);
    expect(last("get")!.params).toEqual({ did: ["did:plc:garden"] });
    const human = await cli(["community", "get", "gardeners.test"]);
    expect(human.stdout).toContain("Handle:");
    expect(human.stdout).toContain("admin.test (did:plc:admin)");
  });
  test("get errors: 404 → 4, 410 CommunityTakenDown → 4, 403 → 3", async () => {
    can("get", 404, { error: "NotFound", message: "Community not found" });
    const nf = await cli(["community", "get", "nope"]);
    expect(nf.code).toBe(4);
    expect(nf.stderr).toContain("Community not found (NotFound)");
    can("get", 410, { error: "CommunityTakenDown", message: "taken down" });
    expect((await cli(["community", "get", "nope"])).code).toBe(4);
    can("get", 403, { error: "Forbidden", message: "no" });
    expect((await cli(["community", "get", "nope"])).code).toBe(3);
    can("get", 200, VIEW);
  });
  test("list: --mode, --search, --include-mine, --limit, --cursor become listAll params", async () => {
    can("listAll", 200, { communities: [VIEW], total: 1 });
    const r = await cli(["community", "list", "--mode", "all", "--search", "gard", "--include-mine", "--limit", "5", "--cursor", "c1"]);
    expect(r.code).toBe(0);
    expect(last("listAll")!.params).toEqual({ mode: ["all"], q: ["gard"], includeMine: ["true"], limit: ["5"], cursor: ["c1"] });
    expect(r.stdout).toMatch(/^HANDLE\s+DID/);
    expect((await cli(["community", "list", "--mode", "mine"])).code).toBe(2);
  });
  test("list-mine, members and requests send their params", async () => {
    can("listMine", 200, { communities: [{ ...VIEW, role: "owner", roleRkey: "owner", joinedAt: VIEW.createdAt }] });
    expect((await cli(["community", "list-mine", "--limit", "10"])).stdout).toContain("owner");
    expect(last("listMine")!.params).toEqual({ limit: ["10"] });
    can("listMembers", 200, { members: [{ did: "did:plc:admin", handle: "admin.test", role: "owner", roleRkey: "owner", joinedAt: VIEW.createdAt, active: true }], total: 1 });
    await cli(["community", "members", "gardeners", "--limit", "2"]);
    expect(last("listMembers")!.params).toEqual({ did: ["gardeners.test"], limit: ["2"] });
    can("listJoinRequests", 200, { requests: [], total: 0 });
    const rq = await cli(["community", "requests", "gardeners", "--status", "rejected"]);
    expect(rq.stdout).toBe("(no join requests)\n");
    expect(last("listJoinRequests")!.params).toEqual({ did: ["gardeners.test"], status: ["rejected"] });
    expect((await cli(["community", "requests", "gardeners", "--status", "maybe"])).code).toBe(2);
  });
});

describe("membership", () => {
  test("approve-request needs no confirmation; reject-request needs -y without a terminal", async () => {
    can("resolveJoinRequest", 200, { status: "approved" });
    const ok = await cli(["community", "approve-request", "7"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("Approved join request 7: approved\n");
    expect(last("resolveJoinRequest")!.body).toEqual({ requestId: "7", action: "approve" });
    const n = count("resolveJoinRequest");
    const refused = await cli(["community", "reject-request", "7"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    expect(count("resolveJoinRequest")).toBe(n);
    can("resolveJoinRequest", 200, { status: "rejected" });
    expect((await cli(["community", "reject-request", "7", "-y"])).code).toBe(0);
    expect(last("resolveJoinRequest")!.body).toEqual({ requestId: "7", action: "reject" });
    can("resolveJoinRequest", 400, { error: "AlreadyResolved", message: "already resolved" });
    expect((await cli(["community", "approve-request", "7"])).code).toBe(5);
  });
  test("remove-member resolves the member handle, asks y/N (or -y)", async () => {
    can("removeMember", 200, { success: true });
    const n = count("removeMember");
    expect((await cli(["community", "remove-member", "gardeners", "bob"])).code).toBe(2);
    expect(count("removeMember")).toBe(n);
    const r = await cli(["community", "remove-member", "gardeners", "bob", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ success: true });
    expect(last("removeMember")!.body).toEqual({ did: "gardeners.test", memberDid: "did:plc:bob" });
    expect(fake.callsTo("com.atproto.identity.resolveHandle").at(-1)!.params).toEqual({ handle: ["bob.test"] });
    can("removeMember", 404, { error: "NotMember", message: "not a member" });
    expect((await cli(["community", "remove-member", "gardeners", "did:plc:zed", "-y"])).code).toBe(4);
  });
  test("update sends only the given fields; nothing to change → 2; a warning goes to stderr", async () => {
    can("update", 200, { success: true, warning: "Copies already distributed cannot be recalled" });
    expect((await cli(["community", "update", "gardeners"])).code).toBe(2);
    const r = await cli(["community", "update", "gardeners", "--display-name", "G", "--visibility", "private", "--join-policy", "approval", "--description", ""]);
    expect(r.code).toBe(0);
    expect(last("update")!.body).toEqual({ did: "gardeners.test", displayName: "G", description: "", visibility: "private", joinPolicy: "approval" });
    expect(r.stderr).toContain("cannot be recalled");
    can("update", 403, { error: "CommunitySuspended", message: "suspended" });
    expect((await cli(["community", "update", "gardeners", "-d", "x"])).code).toBe(2); // -d is create's alias only: unknown flag
    expect((await cli(["community", "update", "gardeners", "--display-name", "x"])).code).toBe(3);
  });
});

describe("moderation and confirmation", () => {
  test("suspend/unsuspend: y/N, skipped by -y; --reason in the body; AlreadySuspended → 5", async () => {
    can("suspend", 200, { did: "did:plc:garden", status: "suspended", reason: "spam" });
    const n = count("suspend");
    expect((await cli(["community", "suspend", "gardeners", "--reason", "spam"])).code).toBe(2);
    expect(count("suspend")).toBe(n);
    const r = await cli(["community", "suspend", "gardeners", "--reason", "spam", "-y"]);
    expect(r.stdout).toBe("Suspended gardeners (did:plc:garden): suspended (spam)\n");
    expect(last("suspend")!.body).toEqual({ did: "gardeners.test", reason: "spam" });
    can("suspend", 400, { error: "AlreadySuspended", message: "already" });
    expect((await cli(["community", "suspend", "gardeners", "-y"])).code).toBe(5);
    can("unsuspend", 200, { did: "did:plc:garden", status: "active" });
    expect((await cli(["community", "unsuspend", "gardeners"])).code).toBe(2);
    expect((await cli(["community", "unsuspend", "did:plc:garden", "-y"])).code).toBe(0);
    expect(last("unsuspend")!.body).toEqual({ did: "did:plc:garden" });
  });
  for (const verb of ["takedown", "delete"] as const) {
    test(`${verb}: no terminal and no confirmation → 2; wrong --confirm → 2; right --confirm or --yes → sent`, async () => {
      can(verb, 200, verb === "delete" ? { success: true } : { did: "did:plc:garden", status: "takendown" });
      const n = count(verb);
      const none = await cli(["community", verb, "gardeners"]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("--confirm");
      const wrong = await cli(["community", verb, "gardeners", "--confirm", "orchard.test"]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain("does not match");
      expect(count(verb)).toBe(n);
      const gets = count("get");
      expect((await cli(["community", verb, "gardeners", "--confirm", "gardeners.test"])).code).toBe(0);
      expect(count("get")).toBe(gets + 1);
      expect((await cli(["community", verb, "did:plc:garden", "--confirm", "gardeners"])).code).toBe(0);
      expect((await cli(["community", verb, "gardeners", "--yes", "--json"])).code).toBe(0);
      expect(count("get")).toBe(gets + 2); // --yes skips the lookup
      expect(count(verb)).toBe(n + 3);
      expect(last(verb)!.body).toEqual({ did: "gardeners.test" });
    });
  }
  test("takedown: ExportRequired → 5; untakedown has no confirmation", async () => {
    can("takedown", 409, { error: "ExportRequired", message: "owner has not exported" });
    expect((await cli(["community", "takedown", "gardeners", "-y", "--reason", "x"])).code).toBe(5);
    expect(last("takedown")!.body).toEqual({ did: "gardeners.test", reason: "x" });
    can("untakedown", 200, { did: "did:plc:garden", status: "active" });
    expect((await cli(["community", "untakedown", "gardeners"])).stdout).toBe("Restored gardeners (did:plc:garden): active\n");
  });
});

describe("export", () => {
  const EXPORT = { $type: "net.openfederation.community.export", exportedAt: "2026-01-01T00:00:00.000Z", exportedBy: "did:plc:admin", community: {}, stats: { totalRecords: 7 }, collections: {}, blobs: [] };
  test("JSON to stdout in both modes, or -o to a 0600 file", async () => {
    can("export", 200, EXPORT);
    const r = await cli(["community", "export", "gardeners"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(EXPORT);
    expect(last("export")!.params).toEqual({ did: ["gardeners.test"], format: ["json"] });
    const file = join(dirs(), "g.json");
    const o = await cli(["community", "export", "gardeners", "-o", file]);
    expect(o.stdout).toBe("");
    expect(o.stderr).toContain("7 records");
    expect(mode(file)).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(EXPORT);
  });
  test("CAR: bytes to -o (0600) or a piped stdout; --json needs -o; bad --format → 2", async () => {
    can("export", 200, "CAR-BYTES");
    const file = join(dirs(), "g.car");
    const r = await cli(["community", "export", "gardeners", "--format", "car", "-o", file, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ did: "gardeners.test", format: "car", output: file, bytes: 11 });
    expect(readFileSync(file, "utf8")).toBe('"CAR-BYTES"');
    expect(mode(file)).toBe(0o600);
    expect(last("export")!.params).toEqual({ did: ["gardeners.test"], format: ["car"] });
    expect(last("export")!.authorization).toMatch(/^Bearer /);
    expect((await cli(["community", "export", "gardeners", "--format", "car"])).stdout).toBe('"CAR-BYTES"');
    expect((await cli(["community", "export", "gardeners", "--format", "car", "--json"])).code).toBe(2);
    expect((await cli(["community", "export", "gardeners", "--format", "zip"])).code).toBe(2);
    can("export", 403, { error: "Forbidden", message: "owner or admin only" });
    expect((await cli(["community", "export", "gardeners", "--format", "car", "-o", file])).code).toBe(3);
  });
});

describe("transfer, import, transfer-ownership", () => {
  const TRANSFER = { transferId: "t1", transferToken: "f".repeat(64), expiresAt: "2026-01-02T00:00:00.000Z", rootCid: "bafyroot", rev: "3abc", didMethod: "plc", destination: "https://new.example", plcOperation: { type: "plc_operation" } };
  test("transfer: --ticket required; password only from file/stdin/prompt; typed confirmation", async () => {
    can("transfer", 200, TRANSFER);
    const n = count("transfer");
    expect((await cli(["community", "transfer", "gardeners", "-y", "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    expect((await cli(["community", "transfer", "gardeners", "--ticket", "tk", "--password", "x"])).code).toBe(2);
    const noConfirm = await cli(["community", "transfer", "gardeners", "--ticket", "tk", "--password-stdin"], { stdin: PASSWORD });
    expect(noConfirm.code).toBe(2);
    const noPassword = await cli(["community", "transfer", "gardeners", "--ticket", "tk", "-y"]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain("--password-stdin");
    expect(count("transfer")).toBe(n);
  });
  test("transfer -o <dir>: transfer.json and repo.car (0600); getTransferRepo carries the token in the body, no bearer", async () => {
    can("getTransferRepo", 200, "REPO-CAR");
    const dir = join(dirs(), "pkg");
    const r = await cli(["community", "transfer", "gardeners", "--ticket", "tk", "--confirm", "gardeners.test", "--password-stdin", "-o", dir, "--json"], { stdin: PASSWORD + "\n" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(TRANSFER);
    expect(last("transfer")!.body).toEqual({ did: "did:plc:garden", password: PASSWORD, importTicket: "tk" });
    const get = last("getTransferRepo")!;
    expect(get.method).toBe("POST");
    expect(get.authorization).toBeNull();
    expect(get.body).toEqual({ did: "did:plc:garden", transferToken: TRANSFER.transferToken });
    expect(mode(join(dir, "transfer.json"))).toBe(0o600);
    expect(mode(join(dir, "repo.car"))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "transfer.json"), "utf8"))).toEqual({ did: "did:plc:garden", ...TRANSFER });
    expect(readFileSync(join(dir, "repo.car"), "utf8")).toBe('"REPO-CAR"');
    const again = await cli(["community", "transfer", "gardeners", "--ticket", "tk", "-y", "--password-stdin", "-o", dir], { stdin: PASSWORD });
    expect(again.code).toBe(2); // never overwrites a package
  });
  test("import: prepare (--did, --handle, --source) and complete (--import-id, --token-file raw or transfer.json)", async () => {
    can("prepareImport", 200, { importId: "i1", importTicket: "ticket", handle: "gardeners.new", expiresAt: "2026-01-02T00:00:00.000Z" });
    expect((await cli(["community", "import"])).code).toBe(2);
    const partial = await cli(["community", "import", "--did", "did:plc:garden"]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain("--handle, --source");
    expect((await cli(["community", "import", "--did", "did:plc:garden", "--import-id", "i1"])).code).toBe(2);
    const p = await cli(["community", "import", "--did", "did:plc:garden", "--handle", "gardeners", "--source", "old.example", "--json"]);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).importTicket).toBe("ticket");
    expect(last("prepareImport")!.body).toEqual({ did: "did:plc:garden", handle: "gardeners", sourcePds: "https://old.example" });
    can("completeImport", 200, { did: "did:plc:garden", handle: "gardeners.new", status: "active", rootCid: "bafy", rev: "3abd" });
    const d = dirs();
    writeFileSync(join(d, "transfer.json"), JSON.stringify({ did: "did:plc:garden", transferToken: "tok-json" }));
    writeFileSync(join(d, "token"), "tok-raw\n");
    expect((await cli(["community", "import", "--import-id", "i1", "--token-file", join(d, "transfer.json")])).code).toBe(0);
    expect(last("completeImport")!.body).toEqual({ importId: "i1", transferToken: "tok-json" });
    expect((await cli(["community", "import", "--import-id", "i1", "--token-file", join(d, "token")])).code).toBe(0);
    expect(last("completeImport")!.body).toEqual({ importId: "i1", transferToken: "tok-raw" });
    expect((await cli(["community", "import", "--import-id", "i1"])).code).toBe(0);
    expect(last("completeImport")!.body).toEqual({ importId: "i1" });
    expect((await cli(["community", "import", "--import-id", "i1", "--token-file", join(d, "missing")])).code).toBe(2);
  });
  test("transfer-ownership: --to resolved to a DID, password from a file, options in the body", async () => {
    can("transferOwnership", 200, { did: "did:plc:garden", ownerDid: "did:plc:bob", previousOwnerRole: "member", plcUpdated: false });
    expect((await cli(["community", "transfer-ownership", "gardeners", "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    expect((await cli(["community", "transfer-ownership", "gardeners", "--to", "bob"])).code).toBe(2);
    expect((await cli(["community", "transfer-ownership", "gardeners", "--to", "bob", "--previous-role", "owner", "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    const pw = join(dirs(), "pw");
    writeFileSync(pw, PASSWORD + "\n");
    const r = await cli(["community", "transfer-ownership", "gardeners", "--to", "bob", "--previous-role", "member", "--new-owner-rotation-key", "did:key:zBob", "--password-file", pw]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("did:plc:bob");
    expect(last("transferOwnership")!.body).toEqual({ did: "gardeners.test", newOwnerDid: "did:plc:bob", password: PASSWORD, previousOwnerRole: "member", newOwnerRotationKey: "did:key:zBob" });
    can("transferOwnership", 401, { error: "Unauthorized", message: "Invalid password" });
    expect((await cli(["community", "transfer-ownership", "gardeners", "--to", "did:plc:bob", "--password-file", pw])).code).toBe(3);
  });
});

describe("usage", () => {
  test("unknown verb and flag → 2 with a suggestion; logged out → 3", async () => {
    const verb = await cli(["community", "suspnd", "x"]);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('did you mean "suspend"');
    const flag = await cli(["community", "list", "--serch", "x"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--search");
    const out = await runCli(["community", "suspend", "gardeners", "-y", "-s", fake.url], { env: { XDG_CONFIG_HOME: dirs() } });
    expect(out.code).toBe(3);
    expect(existsSync(join(home, "ofpds", "sessions.json"))).toBe(true);
  });
});
