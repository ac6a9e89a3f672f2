// Community verbs against the real `ofpds serve --dev`: every verb's --json output checked against its lexicon, confirmation rules, exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";

const NS = "net.openfederation.community.";

const dirs = tempDirs("ofpds-cli-community-e2e-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const mode = (p: string) => statSync(p).mode & 0o777;

let pds: RunningPds;
let adminHome: string;
let bobHome: string;
let bob: { did: string; handle: string; accessJwt: string };
let lex: ReturnType<typeof createLexiconRegistry>["lexicons"];

/** ofpds as the admin (or with another config home); piped, so never any ANSI. */
async function cli(args: string[], opts: { home?: string; stdin?: string } = {}) {
  const r = await runCli([...args, "-s", pds.url], { stdin: opts.stdin, env: { XDG_CONFIG_HOME: opts.home ?? adminHome } });
  expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
  return r;
}
/** A `--json` run that must succeed and print one document valid against `method`'s output lexicon. */
async function json(args: string[], method?: string, home?: string) {
  const r = await cli([...args, "--json"], { home });
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  if (method) lex.assertValidXrpcOutput(NS + method, doc);
  return doc;
}

beforeAll(async () => {
  lex = createLexiconRegistry().lexicons;
  adminHome = dirs();
  bobHome = dirs();
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, XDG_CONFIG_HOME: adminHome });
  expect((await cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: ADMIN_PASSWORD })).code).toBe(0);
  // A second, ordinary user: invited, registered over HTTP, approved, logged in on both sides.
  const invite = await json(["invite", "create"]);
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: "bob", email: "bob@example.org", password: USER_PASSWORD, inviteCode: invite.code } }));
  if (reg.status === "pending") expect((await cli(["account", "approve", reg.did])).code).toBe(0);
  const session = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "bob", password: USER_PASSWORD } }));
  bob = { did: session.did, handle: session.handle, accessJwt: session.accessJwt };
  expect((await cli(["auth", "login", "-u", "bob", "--password-stdin"], { home: bobHome, stdin: USER_PASSWORD })).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

describe("community core verbs end to end", () => {
  let garden: { did: string; handle: string };
  let gardenKeyFile = "";
  const keyFileOf = () => gardenKeyFile;

  test("create plc with --key-out: key file 0600, no key on stdout, output valid", async () => {
    const keyFile = (gardenKeyFile = join(dirs(), "gardeners-key.json"));
    const doc = await json(["community", "create", "-n", "gardeners", "-m", "plc", "-d", "Gardeners", "--description", "Plants and people", "--key-out", keyFile], "create");
    garden = { did: doc.did, handle: doc.handle };
    expect(doc).toMatchObject({ handle: expect.stringMatching(/^gardeners\./), didMethod: "plc", status: "active" });
    expect(doc.did).toMatch(/^did:plc:/);
    expect(doc.primaryRotationKey).toBeUndefined();
    expect(mode(keyFile)).toBe(0o600);
    expect(JSON.parse(readFileSync(keyFile, "utf8")).didKey).toMatch(/^did:key:z/);
  });
  test("create plc (human) prints the key once; create web prints the DID document", async () => {
    const plc = await cli(["community", "create", "-n", "orchard", "-m", "plc", "--visibility", "private"]);
    expect(plc.code).toBe(0);
    expect(plc.stdout).toMatch(/^Created orchard\.\S+ \(did:plc:[a-z2-7]{24}\): active/);
    expect(plc.stdout).toContain("privateKeyHex:");
    const web = await cli(["community", "create", "-n", "meadow", "-m", "web", "--domain", "meadow.example.org"]);
    expect(web.code).toBe(0);
    expect(web.stdout).toContain("did:web:meadow.example.org");
    expect(web.stdout).toContain("DID document to publish");
  });
  test("conflicts and usage: same name → 5 (HandleTaken); --no-input without flags → 2", async () => {
    const dup = await cli(["community", "create", "-n", "gardeners", "-m", "plc", "--json"]);
    expect(dup.code).toBe(5);
    expect(dup.stdout).toBe("");
    expect(JSON.parse(dup.stderr)).toMatchObject({ error: "HandleTaken", exitCode: 5 });
    const none = await cli(["community", "create", "--no-input"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--handle, --method");
  });
  test("get by bare name, full handle and DID; unknown → 4", async () => {
    const byName = await json(["community", "get", "gardeners"], "get");
    expect(byName).toMatchObject({ did: garden.did, handle: garden.handle, displayName: "Gardeners", isOwner: true, memberCount: 1 });
    expect((await json(["community", "get", garden.did], "get")).handle).toBe(garden.handle);
    expect((await cli(["community", "get", garden.handle])).stdout).toContain("Plants and people");
    expect((await cli(["community", "get", "nosuchcommunity"])).code).toBe(4);
    expect((await cli(["community", "get", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"])).code).toBe(4);
  });
  test("list, list --mode all, list-mine (with --all)", async () => {
    const pub = await json(["community", "list", "--include-mine"], "listAll");
    expect(pub.communities.map((c: { did: string }) => c.did)).toContain(garden.did);
    const all = await json(["community", "list", "--mode", "all", "--limit", "1", "--all"]);
    expect(all.communities.length).toBe(all.total);
    expect(all.communities.map((c: { handle: string }) => c.handle.split(".")[0])).toEqual(expect.arrayContaining(["gardeners", "orchard", "meadow"]));
    expect((await cli(["community", "list", "--mode", "all"], { home: bobHome })).code).toBe(3);
    const mine = await json(["community", "list-mine"], "listMine");
    expect(mine.communities.find((c: { did: string }) => c.did === garden.did)).toMatchObject({ role: "owner" });
    expect((await cli(["community", "list-mine"])).stdout).toMatch(/^HANDLE\s+DID/);
  });
  test("update by the owner; by a non-member → 3; without flags → 2", async () => {
    const r = await json(["community", "update", "gardeners", "--display-name", "The Gardeners", "--join-policy", "approval"], "update");
    expect(r.success).toBe(true);
    expect(await json(["community", "get", "gardeners"])).toMatchObject({ displayName: "The Gardeners", joinPolicy: "approval" });
    expect((await cli(["community", "update", "gardeners", "--description", "x"], { home: bobHome })).code).toBe(3);
    expect((await cli(["community", "update", "gardeners"])).code).toBe(2);
  });
  test("delete: without a terminal and confirmation → 2; wrong --confirm → 2; non-owner → 3; --confirm <handle> deletes", async () => {
    expect((await cli(["community", "delete", "meadow"])).code).toBe(2);
    expect((await cli(["community", "delete", "meadow", "--confirm", "gardeners"])).code).toBe(2);
    expect((await cli(["community", "get", "meadow"])).code).toBe(0);
    expect((await cli(["community", "delete", "meadow", "--yes"], { home: bobHome })).code).toBe(3);
    const meadow = await json(["community", "get", "meadow"]);
    const r = await json(["community", "delete", "meadow", "--confirm", meadow.handle], "delete");
    expect(r.success).toBe(true);
    expect((await cli(["community", "get", "meadow"])).code).toBe(4);
    expect((await cli(["community", "delete", "meadow", "-y"])).code).toBe(4);
  });

  describe("members", () => {
    test("members lists the owner", async () => {
      const m = await json(["community", "members", "gardeners"], "listMembers");
      expect(m.members).toEqual([expect.objectContaining({ role: "owner", roleRkey: "owner" })]);
      expect((await cli(["community", "members", "gardeners"])).stdout).toContain("owner");
    });
  });

  describe("join requests", () => {
    test("bob asks to join over HTTP; requests, approve-request (twice → 5), members, remove-member", async () => {
      const joined = await ok(call(pds.url, NS + "join", { token: bob.accessJwt, body: { did: garden.did } }));
      expect(joined.status).toBe("pending");
      const reqs = await json(["community", "requests", "gardeners"], "listJoinRequests");
      const req = reqs.requests.find((r: { did: string }) => r.did === bob.did);
      expect(req).toMatchObject({ status: "pending" });
      expect((await cli(["community", "requests", "gardeners"], { home: bobHome })).code).toBe(3);
      const approved = await json(["community", "approve-request", String(req.id)], "resolveJoinRequest");
      expect(approved.status).toBe("approved");
      expect((await cli(["community", "approve-request", String(req.id)])).code).toBe(5);
      const m = await json(["community", "members", "gardeners"], "listMembers");
      expect(m.members.map((x: { did: string }) => x.did)).toContain(bob.did);
      expect((await cli(["community", "remove-member", "gardeners", "bob"])).code).toBe(2);
      expect((await json(["community", "remove-member", "gardeners", "bob", "-y"], "removeMember")).success).toBe(true);
      expect((await cli(["community", "remove-member", "gardeners", bob.did, "-y"])).code).toBe(4);
    });
  });

  describe("suspend / unsuspend", () => {
    test("y/N rules, AlreadySuspended → 5, update while suspended → 3", async () => {
      expect((await cli(["community", "suspend", "gardeners", "--reason", "test"])).code).toBe(2);
      expect(await json(["community", "suspend", "gardeners", "--reason", "test", "-y"], "suspend")).toMatchObject({ did: garden.did, status: "suspended" });
      expect((await cli(["community", "suspend", "gardeners", "-y"])).code).toBe(5);
      expect((await cli(["community", "update", "gardeners", "--description", "frozen"])).code).toBe(3);
      expect(await json(["community", "unsuspend", "gardeners", "-y"], "unsuspend")).toMatchObject({ status: "active" });
      expect((await cli(["community", "unsuspend", "gardeners", "-y"])).code).toBe(5);
    });
  });

  describe("export / takedown / untakedown", () => {
    test("owner export (JSON and CAR to 0600 files), then takedown with the typed-handle rules, untakedown", async () => {
      const exported = await json(["community", "export", "gardeners"], "export");
      expect(exported.community.did).toBe(garden.did);
      const dir = dirs();
      expect((await cli(["community", "export", "gardeners", "-o", join(dir, "g.json")])).code).toBe(0);
      expect(mode(join(dir, "g.json"))).toBe(0o600);
      const car = await json(["community", "export", "gardeners", "--format", "car", "-o", join(dir, "g.car")]);
      expect(car.bytes).toBeGreaterThan(100);
      expect(mode(join(dir, "g.car"))).toBe(0o600);
      expect((await cli(["community", "export", "gardeners"], { home: bobHome })).code).toBe(3);
      expect((await cli(["community", "takedown", "gardeners", "--reason", "test"])).code).toBe(2);
      expect((await cli(["community", "takedown", "gardeners", "--confirm", "orchard"])).code).toBe(2);
      expect(await json(["community", "takedown", "gardeners", "--confirm", garden.handle, "--reason", "test"], "takedown")).toMatchObject({ status: "takendown" });
      expect((await cli(["community", "takedown", "gardeners", "-y"])).code).toBe(5);
      expect((await cli(["community", "get", "gardeners"], { home: bobHome })).code).toBe(4);
      expect(await json(["community", "untakedown", "gardeners"], "untakedown")).toMatchObject({ status: "active" });
    });
  });
  describe("transfer-ownership", () => {
    test("password from stdin only; to a non-member → 4; wrong password → 3; success swaps the owner", async () => {
      const ferns = await json(["community", "create", "-n", "ferns", "-m", "plc", "--rotation-key", JSON.parse(readFileSync(keyFileOf(), "utf8")).didKey]);
      expect((await cli(["community", "transfer-ownership", "ferns", "--to", "bob"])).code).toBe(2); // no password source, no terminal
      expect((await cli(["community", "transfer-ownership", "ferns", "--to", "bob", "--password-stdin"], { stdin: ADMIN_PASSWORD })).code).toBe(4);
      expect((await ok(call(pds.url, NS + "join", { token: bob.accessJwt, body: { did: ferns.did } }))).status).toBe("joined");
      expect((await cli(["community", "transfer-ownership", "ferns", "--to", "bob", "--password-stdin"], { stdin: "wrong-password-123" })).code).toBe(3);
      const r = await cli(["community", "transfer-ownership", "ferns", "--to", "bob", "--password-stdin", "--json"], { stdin: ADMIN_PASSWORD });
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      lex.assertValidXrpcOutput(NS + "transferOwnership", doc);
      expect(doc).toMatchObject({ did: ferns.did, ownerDid: bob.did, previousOwnerRole: "moderator", plcUpdated: false });
      expect((await json(["community", "get", "ferns"], "get", bobHome)).isOwner).toBe(true);
      expect((await cli(["community", "transfer-ownership", "ferns", "--to", "admin", "--password-stdin"], { stdin: ADMIN_PASSWORD })).code).toBe(3);
    });
  });
});
