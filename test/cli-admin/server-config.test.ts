// `ofpds server config` and `ofpds server import-repo` against the real `serve --dev`: JSON output equal to the
// XRPC answer, the human summary, exit codes of refusals, and the restore checked by what the server holds after.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-server-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
let pds: RunningPds;
let home: string;
let admin: string;
let work: string;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMITS_ENABLED: "false" });
  home = dirs();
  work = dirs();
  admin = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }))).accessJwt;
  expect((await cli(["auth", "login", "-u", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")).code).toBe(0);
});
afterAll(async () => {
  await pds?.stop();
});

const cli = (args: string[], stdin?: string, env: Record<string, string> = {}) => runCli([...args, "-s", pds.url], { stdin, env: { XDG_CONFIG_HOME: home, ...env } });

async function user(name: string) {
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const s = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password: USER_PASSWORD } }));
  return { did: reg.did as string, accessJwt: s.accessJwt as string };
}
const notes = async (did: string) =>
  (await ok(call(pds.url, "com.atproto.repo.listRecords", { params: { repo: did, collection: "app.example.note" } }))).records.map((r: any) => `${r.uri.split("/").pop()}=${r.value.text}`).sort();

test("server config --json is the getConfig answer; the human form is a summary; a non-staff session → exit 3", async () => {
  const json = await cli(["server", "config", "--json"]);
  expect(json.code).toBe(0);
  const parsed = JSON.parse(json.stdout);
  const direct = await ok(call(pds.url, "net.openfederation.server.getConfig", { token: admin }));
  expect({ ...parsed, stats: undefined }).toEqual({ ...direct, stats: undefined });
  expect(Object.keys(parsed.stats).sort()).toEqual(Object.keys(direct.stats).sort());
  expect(parsed.serviceUrl).toBe(`http://localhost:${pds.port}`);

  const human = await cli(["server", "config"]);
  expect(human.code).toBe(0);
  expect(human.stdout).toContain(`ofpds ${parsed.version} (development) at http://localhost:${pds.port}`);
  expect(human.stdout).toContain("handle domain:     test");
  expect(human.stdout).toMatch(/users: +\d+ \(approved \d+/);

  await user("carol");
  const otherHome = dirs();
  expect((await runCli(["auth", "login", "-u", "carol", "--password-stdin", "-s", pds.url], { stdin: USER_PASSWORD + "\n", env: { XDG_CONFIG_HOME: otherHome } })).code).toBe(0);
  const refused = await runCli(["server", "config", "--json", "-s", pds.url], { env: { XDG_CONFIG_HOME: otherHome } });
  expect(refused.code).toBe(3);
  expect(refused.stdout).toBe("");
  expect(JSON.parse(refused.stderr)).toMatchObject({ error: "Forbidden", exitCode: 3 });
});

test("server import-repo: without --replace → exit 5 (RepoAlreadyExists), --replace needs -y off a terminal, with -y the exported records come back", async () => {
  const u = await user("dave");
  const put = (rkey: string, text: string) => ok(call(pds.url, "com.atproto.repo.putRecord", { token: u.accessJwt, body: { repo: u.did, collection: "app.example.note", rkey, record: { $type: "app.example.note", text } } }));
  await put("a", "first");
  await put("b", "second");
  const car = join(work, "dave.car");
  writeFileSync(car, new Uint8Array(await (await fetch(`${pds.url}/xrpc/com.atproto.sync.getRepo?did=${u.did}`)).arrayBuffer()));
  await put("b", "second, edited");
  await put("c", "third");
  const changed = await notes(u.did);

  const conflict = await cli(["server", "import-repo", u.did, "--car", car, "--json"]);
  expect(conflict.code).toBe(5);
  expect(JSON.parse(conflict.stderr)).toMatchObject({ error: "RepoAlreadyExists" });
  const unconfirmed = await cli(["server", "import-repo", u.did, "--car", car, "--replace"]);
  expect(unconfirmed.code).toBe(2);
  const noCar = await cli(["server", "import-repo", u.did]);
  expect(noCar.code).toBe(2);
  expect(noCar.stderr).toContain("--car");
  expect(await notes(u.did)).toEqual(changed);

  const done = await cli(["server", "import-repo", u.did, "--car", car, "--replace", "-y", "--json"]);
  expect(done.code).toBe(0);
  const r = JSON.parse(done.stdout);
  expect(r).toMatchObject({ did: u.did, state: "active" });
  expect(await notes(u.did)).toEqual(["a=first", "b=second"]);
  const head = await ok(call(pds.url, "com.atproto.sync.getLatestCommit", { params: { did: u.did } }));
  expect([head.cid, head.rev]).toEqual([r.rootCid, r.rev]);

  const human = await cli(["server", "import-repo", u.did, "--car", car, "--replace", "-y"]);
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(new RegExp(`^Restored ${u.did}: ${r.recordCount} records, \\d+ blocks, new head \\S+ \\(rev \\S+\\)`));
});
