// Community verbs against the real `serve --dev`: what each flag makes the server do (read back through XRPC), argument rules, confirmations, files, exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ofpdsCommand, runCli, tempDirs, waitFor } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-community-");
const PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const NS = "net.openfederation.community.";
const mode = (p: string) => statSync(p).mode & 0o777;

let pds: RunningPds;
let home: string;
let adminToken: string;
let bob: { did: string; handle: string; accessJwt: string; home: string };

const cli = (args: string[], opts: { stdin?: string; home?: string } = {}) => runCli([...args, "-s", pds.url], { stdin: opts.stdin, env: { XDG_CONFIG_HOME: opts.home ?? home } });
async function json(args: string[], h?: string) {
  const r = await cli([...args, "--json"], { home: h });
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const view = (did: string) => ok(call(pds.url, NS + "get", { token: adminToken, params: { did } }));

let seq = 0;
/** A fresh community owned by the admin, made through XRPC (not the CLI under test). */
async function community(prefix = "c", body: Record<string, unknown> = {}) {
  const name = `${prefix}${++seq}`;
  const made = await ok(call(pds.url, NS + "create", { token: adminToken, body: { handle: name, didMethod: "plc", ...body } }));
  return { name, did: made.did as string, handle: made.handle as string };
}
/** An approved, logged-in ordinary user. */
async function user(name: string) {
  const invite = await ok(call(pds.url, "net.openfederation.invite.create", { token: adminToken, body: {} }));
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: invite.code } }));
  if (reg.status === "pending") await ok(call(pds.url, "net.openfederation.account.approve", { token: adminToken, body: { did: reg.did } }));
  const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password: USER_PASSWORD } }));
  const h = dirs();
  expect((await cli(["auth", "login", "-u", name, "--password-stdin"], { home: h, stdin: USER_PASSWORD })).code).toBe(0);
  return { did: s.did as string, handle: s.handle as string, accessJwt: s.accessJwt as string, home: h };
}
const memberDids = async (did: string) => ((await ok(call(pds.url, NS + "listMembers", { token: adminToken, params: { did } }))).members as Array<{ did: string }>).map((m) => m.did);
const joinRequests = async (did: string, status = "pending") => (await ok(call(pds.url, NS + "listJoinRequests", { token: adminToken, params: { did, status } }))).requests as Array<{ id: string | number; did: string; status: string }>;
const rotationKeys = async (did: string) => ((await (await fetch(`${pds.plcUrl}/${did}/data`)).json()) as { rotationKeys: string[] }).rotationKeys;

let sentinel = 0;
/** How often the server was asked `method` so far, from its request log (a sentinel request's line proves earlier lines are in). */
async function count(method: string): Promise<number> {
  const mark = `sentinel${++sentinel}`;
  await fetch(`${pds.url}/xrpc/${mark}`);
  const lines = () => pds.logs().split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l) as { msg?: string; path?: string | null }; } catch { return {}; } });
  await waitFor(async () => lines().some((l) => l.path?.includes(mark)), 10_000, "the sentinel request's log line");
  const nsid = method.includes(".") ? method : NS + method;
  return lines().filter((l) => l.msg === "request" && l.path === `/xrpc/${nsid}`).length;
}

beforeAll(async () => {
  home = dirs();
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
  adminToken = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: PASSWORD } }))).accessJwt;
  expect((await cli(["auth", "login", "-u", "admin", "--password-stdin"], { stdin: PASSWORD })).code).toBe(0);
  bob = await user("bob");
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

describe("membership", () => {
  test("approve-request needs no confirmation; reject-request needs -y without a terminal; resolved twice → 5", async () => {
    const c = await community("club", { joinPolicy: "approval" });
    const carol = await user("carol");
    for (const who of [bob, carol]) expect((await ok(call(pds.url, NS + "join", { token: who.accessJwt, body: { did: c.did } }))).status).toBe("pending");
    const pending = await joinRequests(c.did);
    const bobReq = pending.find((r) => r.did === bob.did)!;
    const carolReq = pending.find((r) => r.did === carol.did)!;

    const approved = await cli(["community", "approve-request", String(bobReq.id)]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(`Approved join request ${bobReq.id}: approved\n`);
    expect(await memberDids(c.did)).toContain(bob.did);

    const n = await count("resolveJoinRequest");
    const refused = await cli(["community", "reject-request", String(carolReq.id)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    expect(await count("resolveJoinRequest")).toBe(n);
    expect((await joinRequests(c.did)).map((r) => r.did)).toEqual([carol.did]);

    expect((await cli(["community", "reject-request", String(carolReq.id), "-y"])).code).toBe(0);
    expect((await joinRequests(c.did, "rejected")).map((r) => r.did)).toEqual([carol.did]);
    expect(await memberDids(c.did)).not.toContain(carol.did);

    const again = await cli(["community", "approve-request", String(bobReq.id), "--json"]);
    expect(again.code).toBe(5);
    expect(JSON.parse(again.stderr.trim())).toMatchObject({ error: "AlreadyResolved", exitCode: 5 });
  });
  test("remove-member resolves the member handle, asks y/N (or -y); a non-member → 4", async () => {
    const c = await community("open");
    expect((await ok(call(pds.url, NS + "join", { token: bob.accessJwt, body: { did: c.did } }))).status).toBe("joined");
    const n = await count("removeMember");
    expect((await cli(["community", "remove-member", c.name, "bob"])).code).toBe(2);
    expect(await count("removeMember")).toBe(n);
    expect(await memberDids(c.did)).toContain(bob.did);
    const r = await cli(["community", "remove-member", c.name, "bob", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ success: true });
    expect(await memberDids(c.did)).not.toContain(bob.did);
    const gone = await cli(["community", "remove-member", c.name, bob.did, "-y", "--json"]);
    expect(gone.code).toBe(4);
    expect(JSON.parse(gone.stderr.trim())).toMatchObject({ exitCode: 4 });
  });
  test("update sends only the given fields; nothing to change → 2; -d is not update's flag; suspended → 3", async () => {
    const c = await community("upd", { displayName: "Before", description: "Old text" });
    const n = await count("update");
    expect((await cli(["community", "update", c.name])).code).toBe(2);
    expect((await cli(["community", "update", c.name, "-d", "x"])).code).toBe(2); // -d is create's alias only: unknown flag
    expect(await count("update")).toBe(n);
    const r = await cli(["community", "update", c.name, "--display-name", "G", "--join-policy", "approval", "--description", ""]);
    expect(r.stderr).not.toContain("✗");
    expect(r.code).toBe(0);
    expect(await view(c.did)).toMatchObject({ displayName: "G", description: "", joinPolicy: "approval", visibility: "public" });
    await ok(call(pds.url, NS + "suspend", { token: adminToken, body: { did: c.did, reason: "t" } }));
    const frozen = await cli(["community", "update", c.name, "--display-name", "x", "--json"]);
    expect(frozen.code).toBe(3);
    expect(JSON.parse(frozen.stderr.trim())).toMatchObject({ error: "CommunitySuspended", exitCode: 3 });
    expect((await view(c.did)).displayName).toBe("G");
  });
});

describe("moderation and confirmation", () => {
  test("suspend/unsuspend: y/N, skipped by -y; --reason reaches the server; AlreadySuspended → 5", async () => {
    const c = await community("mod");
    const n = await count("suspend");
    expect((await cli(["community", "suspend", c.name, "--reason", "spam"])).code).toBe(2);
    expect(await count("suspend")).toBe(n);
    expect((await view(c.did)).status).toBe("active");
    const r = await cli(["community", "suspend", c.name, "--reason", "spam", "-y"]);
    expect(r.stdout).toBe(`Suspended ${c.name} (${c.did}): suspended (spam)\n`);
    expect((await view(c.did)).status).toBe("suspended");
    const audit = await ok(call(pds.url, "net.openfederation.audit.list", { token: adminToken, params: { targetDid: c.did } }));
    expect(JSON.stringify(audit.entries)).toContain("spam");
    const again = await cli(["community", "suspend", c.name, "-y", "--json"]);
    expect(again.code).toBe(5);
    expect(JSON.parse(again.stderr.trim())).toMatchObject({ error: "AlreadySuspended", exitCode: 5 });
    expect((await cli(["community", "unsuspend", c.name])).code).toBe(2);
    expect((await view(c.did)).status).toBe("suspended");
    expect((await cli(["community", "unsuspend", c.did, "-y"])).code).toBe(0);
    expect((await view(c.did)).status).toBe("active");
  });
  for (const verb of ["takedown", "delete"] as const) {
    test(`${verb}: no terminal and no confirmation → 2; wrong --confirm → 2; right --confirm or --yes → done`, async () => {
      const byHandle = await community(verb);
      const byDid = await community(verb);
      const byYes = await community(verb);
      const other = await community("other");
      // the server takes down only a community its owner exported since the latest commit
      if (verb === "takedown") for (const c of [byHandle, byDid, byYes]) await ok(call(pds.url, NS + "export", { token: adminToken, params: { did: c.did, format: "json" } }));
      const n = await count(verb);
      const none = await cli(["community", verb, byHandle.name]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("--confirm");
      const wrong = await cli(["community", verb, byHandle.name, "--confirm", other.handle]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain("does not match");
      expect(await count(verb)).toBe(n);
      expect((await view(byHandle.did)).status).toBe("active");

      const gets = await count("get");
      expect((await cli(["community", verb, byHandle.name, "--confirm", byHandle.handle])).code).toBe(0);
      expect(await count("get")).toBe(gets + 1); // the typed handle is checked against the server's
      expect((await cli(["community", verb, byDid.did, "--confirm", byDid.name])).code).toBe(0);
      expect((await cli(["community", verb, byYes.name, "--yes", "--json"])).code).toBe(0);
      expect(await count("get")).toBe(gets + 2); // --yes skips the lookup
      expect(await count(verb)).toBe(n + 3);
      for (const c of [byHandle, byDid, byYes]) {
        const after = await call(pds.url, NS + "get", { token: adminToken, params: { did: c.did } });
        if (verb === "takedown") expect(after.body.status).toBe("takendown");
        else expect([after.status, after.body.error]).toEqual([404, "NotFound"]);
      }
      expect((await view(other.did)).status).toBe("active");
    });
  }
  test("takedown without an owner export: ExportRequired → 5, still active; untakedown has no confirmation", async () => {
    const c = await community("exp");
    const r = await cli(["community", "takedown", c.name, "-y", "--reason", "x", "--json"]);
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: "ExportRequired", exitCode: 5 });
    expect((await view(c.did)).status).toBe("active");
    await ok(call(pds.url, NS + "export", { token: adminToken, params: { did: c.did, format: "json" } }));
    expect((await cli(["community", "takedown", c.name, "-y", "--reason", "x"])).code).toBe(0);
    expect((await view(c.did)).status).toBe("takendown");
    expect((await cli(["community", "untakedown", c.name])).stdout).toBe(`Restored ${c.name} (${c.did}): active\n`);
    expect((await view(c.did)).status).toBe("active");
  });
});

describe("community create", () => {
  test("--no-input without --handle/--method → exit 2 listing both, even logged out; nothing created", async () => {
    const n = await count("create");
    const r = await runCli(["community", "create", "--no-input", "-s", pds.url], { env: { XDG_CONFIG_HOME: dirs() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing required arguments: --handle, --method");
    const one = await cli(["community", "create", "-n", "x", "--no-input"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("Missing required arguments: --method");
    expect(await count("create")).toBe(n);
  });
  test("flag values are checked before anything is sent", async () => {
    const n = await count("create");
    for (const bad of [["-m", "key"], ["-m", "plc", "--visibility", "secret"], ["-m", "plc", "--join-policy", "closed"], ["-m", "web"], ["-m", "plc", "--domain", "x.org"], ["-m", "web", "--domain", "x.org", "--rotation-key", "did:key:z"]]) {
      const r = await cli(["community", "create", "-n", "g", ...bad]);
      expect(r.code).toBe(2);
    }
    expect(await count("create")).toBe(n);
  });
  test("plc: every flag reaches the community; the generated key is printed once in human mode and is a PLC rotation key", async () => {
    const r = await cli(["community", "create", "-n", "@Gardeners", "-m", "plc", "-d", "The Gardeners", "--description", "Plants", "--visibility", "private", "--join-policy", "approval"]);
    expect(r.code).toBe(0);
    const m = r.stdout.match(/^Created (gardeners\.\S+) \((did:plc:[a-z2-7]{24})\): active/);
    expect(m).not.toBeNull();
    const [, handle, did] = m!;
    expect(await view(did!)).toMatchObject({ did, handle, displayName: "The Gardeners", description: "Plants", visibility: "private", joinPolicy: "approval", status: "active" });
    expect(r.stdout).toMatch(/privateKeyHex:\s*[0-9a-f]{64}/);
    const didKey = r.stdout.match(/did:key:z[1-9A-HJ-NP-Za-km-z]+/)![0];
    expect(await rotationKeys(did!)).toContain(didKey);
  });
  test("--key-out writes the key 0600 and leaves it out of stdout (--json); --rotation-key reaches the PLC document", async () => {
    const keyFile = join(dirs(), "key.json");
    const r = await cli(["community", "create", "--handle", "orchard", "--method", "plc", "--key-out", keyFile, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ handle: expect.stringMatching(/^orchard\./), didMethod: "plc", status: "active" });
    expect(doc.primaryRotationKey).toBeUndefined();
    expect(mode(keyFile)).toBe(0o600);
    const key = JSON.parse(readFileSync(keyFile, "utf8"));
    expect(r.stdout).not.toContain(key.privateKeyHex);
    expect(await rotationKeys(doc.did)).toContain(key.didKey);
    const own = await json(["community", "create", "-n", "ownkey", "-m", "plc", "--rotation-key", key.didKey]);
    expect(await rotationKeys(own.did)).toContain(key.didKey);
  });
  test("web: --domain makes a did:web community", async () => {
    const r = await json(["community", "create", "-n", "meadow", "-m", "web", "--domain", "meadow.example.org"]);
    expect(r.did).toBe("did:web:meadow.example.org");
    expect(await view(r.did)).toMatchObject({ didMethod: "web", status: "active" });
  });
  test("server errors map to exit codes: HandleTaken → 5, and nothing new is made", async () => {
    const c = await community("taken");
    const before = (await ok(call(pds.url, NS + "listAll", { token: adminToken, params: { mode: "all", limit: 100 } }))).total;
    const taken = await cli(["community", "create", "-n", c.name, "-m", "plc", "--json"]);
    expect(taken.code).toBe(5);
    expect(taken.stdout).toBe("");
    expect(JSON.parse(taken.stderr)).toMatchObject({ error: "HandleTaken", exitCode: 5 });
    expect((await ok(call(pds.url, NS + "listAll", { token: adminToken, params: { mode: "all", limit: 100 } }))).total).toBe(before);
  });
});

describe("reads", () => {
  test("get: a bare name gets the server's handle domain; a DID passes through; human view names the owner", async () => {
    const c = await community("reads");
    const expected = await view(c.did);
    expect(await json(["community", "get", c.name])).toEqual(expected);
    expect(await json(["community", "get", c.did])).toEqual(expected);
    const human = await cli(["community", "get", c.handle]);
    expect(human.stdout).toContain("Handle:");
    expect(human.stdout).toContain(`${expected.owner.handle} (${expected.owner.did})`);
  });
  test("get errors: unknown → 4, taken down (to a non-admin) → 4", async () => {
    const nf = await cli(["community", "get", "nope"]);
    expect(nf.code).toBe(4);
    expect(nf.stderr).toContain("(NotFound)");
    const c = await community("down");
    await ok(call(pds.url, NS + "export", { token: adminToken, params: { did: c.did, format: "json" } }));
    await ok(call(pds.url, NS + "takedown", { token: adminToken, body: { did: c.did } }));
    expect((await cli(["community", "get", c.did], { home: bob.home })).code).toBe(4);
  });
  test("list: --mode, --search, --limit, --cursor page through what the server has", async () => {
    const a = await community("zinnia");
    const b = await community("zinnia");
    const first = await json(["community", "list", "--mode", "all", "--search", "zinnia", "--limit", "1"]);
    expect(first.communities.length).toBe(1);
    expect(first.cursor).toEqual(expect.any(String));
    const second = await json(["community", "list", "--mode", "all", "--search", "zinnia", "--limit", "1", "--cursor", first.cursor]);
    expect([...first.communities, ...second.communities].map((x: { did: string }) => x.did).sort()).toEqual([a.did, b.did].sort());
    const human = await cli(["community", "list", "--mode", "all", "--search", "zinnia", "--include-mine"]);
    expect(human.stdout).toMatch(/^HANDLE\s+DID/);
    expect(human.stdout).toContain(a.handle);
    expect((await cli(["community", "list", "--mode", "mine"])).code).toBe(2);
  });
  test("list-mine, members and requests show the server's lists; a bad --status → 2", async () => {
    const c = await community("lists", { joinPolicy: "approval" });
    expect((await cli(["community", "list-mine", "--limit", "100"])).stdout).toMatch(new RegExp(`${c.handle.replace(/\./g, "\\.")}.*owner`));
    const members = await json(["community", "members", c.name, "--limit", "2"]);
    expect(members.members.map((m: { role: string }) => m.role)).toEqual(["owner"]);
    const rq = await cli(["community", "requests", c.name, "--status", "rejected"]);
    expect(rq.stdout).toBe("(no join requests)\n");
    await ok(call(pds.url, NS + "join", { token: bob.accessJwt, body: { did: c.did } }));
    expect((await cli(["community", "requests", c.name])).stdout).toContain(bob.did);
    expect((await cli(["community", "requests", c.name, "--status", "maybe"])).code).toBe(2);
  });
});

describe("export", () => {
  test("JSON to stdout, or -o to a 0600 file with the record count on stderr; a non-owner → 3", async () => {
    const c = await community("exportj");
    const r = await cli(["community", "export", c.name]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.community.did).toBe(c.did);
    const file = join(dirs(), "g.json");
    const o = await cli(["community", "export", c.name, "-o", file]);
    expect(o.stdout).toBe("");
    expect(o.stderr).toContain(`${doc.stats.totalRecords} records`);
    expect(mode(file)).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).community.did).toBe(c.did);
    expect((await cli(["community", "export", c.name], { home: bob.home })).code).toBe(3);
  });
  test("CAR: bytes to -o (0600) or a piped stdout; --json needs -o; bad --format → 2", async () => {
    const c = await community("exportc");
    const file = join(dirs(), "g.car");
    const r = await cli(["community", "export", c.name, "--format", "car", "-o", file, "--json"]);
    expect(r.code).toBe(0);
    const bytes = readFileSync(file);
    expect(JSON.parse(r.stdout)).toEqual({ did: c.handle, format: "car", output: file, bytes: bytes.length });
    expect(mode(file)).toBe(0o600);
    const direct = await fetch(`${pds.url}/xrpc/${NS}export?did=${c.did}&format=car`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(Buffer.from(await direct.arrayBuffer()).equals(bytes)).toBe(true);
    // runCli decodes stdout as text; the CAR bytes are read raw here
    const piped = Bun.spawn([...ofpdsCommand(), "community", "export", c.name, "--format", "car", "-s", pds.url], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", XDG_CONFIG_HOME: home }, stdout: "pipe", stderr: "pipe" });
    const out = Buffer.from(await new Response(piped.stdout).arrayBuffer());
    expect(await piped.exited).toBe(0);
    expect(out.equals(bytes)).toBe(true);
    expect((await cli(["community", "export", c.name, "--format", "car", "--json"])).code).toBe(2);
    expect((await cli(["community", "export", c.name, "--format", "zip"])).code).toBe(2);
  });
});

describe("transfer, import, transfer-ownership: argument rules (the full flow is in transfer.test.ts)", () => {
  test("transfer: --ticket required; password only from file/stdin/prompt; typed confirmation; nothing sent", async () => {
    const c = await community("tr");
    const n = await count("transfer");
    expect((await cli(["community", "transfer", c.name, "-y", "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    expect((await cli(["community", "transfer", c.name, "--ticket", "tk", "--password", "x"])).code).toBe(2);
    expect((await cli(["community", "transfer", c.name, "--ticket", "tk", "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    const noPassword = await cli(["community", "transfer", c.name, "--ticket", "tk", "-y"]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain("--password-stdin");
    expect(await count("transfer")).toBe(n);
    expect((await view(c.did)).status).toBe("active");
  });
  test("import: prepare needs --did, --handle and --source together; complete needs a readable --token-file", async () => {
    const n = (await count("prepareImport")) + (await count("completeImport"));
    expect((await cli(["community", "import"])).code).toBe(2);
    const partial = await cli(["community", "import", "--did", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain("--handle, --source");
    expect((await cli(["community", "import", "--did", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "--import-id", "i1"])).code).toBe(2);
    expect((await cli(["community", "import", "--import-id", "i1", "--token-file", join(dirs(), "missing")])).code).toBe(2);
    expect((await count("prepareImport")) + (await count("completeImport"))).toBe(n);
  });
  test("transfer-ownership: --to resolved to a DID, password from a file; wrong password → 3; the owner changes", async () => {
    const c = await community("own");
    await ok(call(pds.url, NS + "join", { token: bob.accessJwt, body: { did: c.did } }));
    expect((await cli(["community", "transfer-ownership", c.name, "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    expect((await cli(["community", "transfer-ownership", c.name, "--to", "bob"])).code).toBe(2);
    expect((await cli(["community", "transfer-ownership", c.name, "--to", "bob", "--previous-role", "owner", "--password-stdin"], { stdin: PASSWORD })).code).toBe(2);
    const pw = join(dirs(), "pw");
    writeFileSync(pw, "Wrong-password-000\n");
    expect((await cli(["community", "transfer-ownership", c.name, "--to", bob.did, "--password-file", pw])).code).toBe(3);
    expect((await view(c.did)).owner.did).not.toBe(bob.did);
    writeFileSync(pw, PASSWORD + "\n");
    const r = await cli(["community", "transfer-ownership", c.name, "--to", "bob", "--previous-role", "member", "--password-file", pw]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(bob.did);
    expect((await view(c.did)).owner.did).toBe(bob.did);
  });
});

describe("usage", () => {
  test("unknown verb and flag → 2 with a suggestion; logged out → 3 and nothing suspended", async () => {
    const verb = await cli(["community", "suspnd", "x"]);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('did you mean "suspend"');
    const flag = await cli(["community", "list", "--serch", "x"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--search");
    const c = await community("usage");
    const out = await runCli(["community", "suspend", c.name, "-y", "-s", pds.url], { env: { XDG_CONFIG_HOME: dirs() } });
    expect(out.code).toBe(3);
    expect((await view(c.did)).status).toBe("active");
    expect(existsSync(join(home, "ofpds", "sessions.json"))).toBe(true);
  });
});
