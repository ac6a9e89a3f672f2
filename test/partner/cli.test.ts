// `ofpds partner create-key|list-keys|revoke-key` against the real `ofpds serve --dev` (the compiled binary under OFPDS_BIN).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";
import { ADMIN, register } from "./_partner.ts";

const dirs = tempDirs("ofpds-partner-cli-");
const lex = createLexiconRegistry().lexicons;
let pds: RunningPds;
let home: string;

async function cli(args: string[], opts: { stdin?: string } = {}) {
  const r = await runCli([...args, "-s", pds.url], { stdin: opts.stdin, env: { XDG_CONFIG_HOME: home } });
  expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/); // piped: no ANSI
  return r;
}
async function json(args: string[], nsid: string) {
  const r = await cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  lex.assertValidXrpcOutput(nsid, doc);
  return doc;
}

beforeAll(async () => {
  home = dirs();
  pds = await startPds({ ...ADMIN, XDG_CONFIG_HOME: home });
  const pw = join(home, "pw.txt");
  writeFileSync(pw, ADMIN.BOOTSTRAP_ADMIN_PASSWORD + "\n", { mode: 0o600 });
  const login = await runCli(["auth", "login", "-u", "admin", "--password-file", pw, "-s", pds.url], { env: { XDG_CONFIG_HOME: home } });
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await pds?.stop();
});

describe("ofpds partner", () => {
  let id: string;

  test("create-key --json prints the createKey response once (with the key); the key works for partner.register", async () => {
    const doc = await json(["partner", "create-key", "-n", "web", "-p", "Game Co", "-o", "HTTPS://Game.Example.com:443", "--origin", "https://shop.example.com", "-r", "50"], "net.openfederation.partner.createKey");
    expect(doc).toMatchObject({ name: "web", partnerName: "Game Co", allowedOrigins: ["https://game.example.com", "https://shop.example.com"], rateLimitPerHour: 50, status: "active", permissions: ["register"] });
    expect(doc.key).toMatch(/^ofp_[A-Za-z0-9_-]{64}$/);
    id = doc.id;
    expect((await register(pds, doc.key, { origin: "https://shop.example.com" })).status).toBe(200);
  });

  test("create-key in human mode: only the key on stdout, the once-only warning on stderr", async () => {
    const r = await cli(["partner", "create-key", "--name", "backend", "--partner-name", "Game Co", "--origin", "https://game.example.com,https://www.game.example.com"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ofp_[A-Za-z0-9_-]{64}\n$/);
    expect(r.stderr).toContain("shown only this once");
    expect(r.stderr).toContain(r.stdout.slice(0, 12));
  });

  test("create-key: missing flags are listed at once (exit 2); a bad origin is the server's 400 (exit 2, nothing created)", async () => {
    const before = (await json(["partner", "list-keys"], "net.openfederation.partner.listKeys")).total;
    const missing = await cli(["partner", "create-key", "--no-input"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Missing required arguments: --name, --partner-name, --origin");
    const bad = await cli(["partner", "create-key", "-n", "x", "-p", "y", "-o", "https://game.example.com/path", "--json"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(JSON.parse(bad.stderr.trim())).toMatchObject({ error: "InvalidRequest", exitCode: 2 });
    expect((await json(["partner", "list-keys"], "net.openfederation.partner.listKeys")).total).toBe(before);
  });

  test("list-keys --json is the listKeys output and never contains a key; the table names every key", async () => {
    const doc = await json(["partner", "list-keys", "--status", "active"], "net.openfederation.partner.listKeys");
    expect(doc.keys.length).toBe(2);
    expect(JSON.stringify(doc)).not.toMatch(/ofp_[A-Za-z0-9_-]{64}/);
    expect(doc.keys.find((k: { id: string }) => k.id === id)).toMatchObject({ totalRegistrations: 1, status: "active" });
    const all = await json(["partner", "list-keys", "--all", "--limit", "1"], "net.openfederation.partner.listKeys");
    expect(all.keys.length).toBe(all.total);
    const human = await cli(["partner", "list-keys"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(id);
    expect(human.stdout).toContain("Game Co");
    expect((await cli(["partner", "list-keys", "--status", "gone"])).code).toBe(2);
  });

  test("revoke-key: needs -y without a terminal (exit 2, still active); -y --json revokes; again → AlreadyRevoked (exit 5); unknown id → exit 4", async () => {
    const unconfirmed = await cli(["partner", "revoke-key", id]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("--yes");
    expect((await json(["partner", "list-keys", "--status", "active"], "net.openfederation.partner.listKeys")).keys.map((k: { id: string }) => k.id)).toContain(id);

    const done = await json(["partner", "revoke-key", id, "-y"], "net.openfederation.partner.revokeKey");
    expect(done).toEqual({ id, status: "revoked" });
    const again = await cli(["partner", "revoke-key", id, "-y", "--json"]);
    expect(again.code).toBe(5);
    expect(again.stdout).toBe("");
    expect(JSON.parse(again.stderr.trim())).toMatchObject({ error: "AlreadyRevoked", exitCode: 5 });
    const unknown = await cli(["partner", "revoke-key", "no-such-id", "-y", "--json"]);
    expect(unknown.code).toBe(4);
    expect(JSON.parse(unknown.stderr.trim())).toMatchObject({ error: "NotFound", exitCode: 4 });
  });

  test("without a session: exit 3 naming auth login", async () => {
    const r = await runCli(["partner", "list-keys", "-s", pds.url], { env: { XDG_CONFIG_HOME: dirs() } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("ofpds auth login");
  });
});
