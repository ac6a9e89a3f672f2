// `community import` (prepare) on D → `community transfer -o` on S → `community import --token-file` on D, two real servers sharing one `ofpds plc`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { freePort, runCli, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";

const NS = "net.openfederation.community.";

const dirs = tempDirs("ofpds-cli-community-transfer-");
const PASSWORD = "Admin-password-1234";
const mode = (p: string) => statSync(p).mode & 0o777;
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let S: RunningPds;
let D: RunningPds;
let home: string;

const cli = (server: RunningPds, args: string[], stdin?: string) => runCli([...args, "-s", server.url], { stdin, env: { XDG_CONFIG_HOME: home } });

beforeAll(async () => {
  home = dirs();
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dirs()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  const admin = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, PLC_URL: plcUrl };
  [S, D] = await Promise.all([startPds(admin), startPds(admin)]);
  for (const server of [S, D]) expect((await cli(server, ["auth", "login", "-u", "admin", "--password-stdin"], PASSWORD)).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await Promise.all([S?.stop(), D?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

describe("community transfer between two servers through the CLI", () => {
  test("prepare on D, transfer on S (typed confirmation, password, -o package 0600), writes frozen on S, complete on D", async () => {
    const lex = createLexiconRegistry().lexicons;
    const created = await cli(S, ["community", "create", "-n", "willow", "-m", "plc", "--json"]);
    expect(created.code).toBe(0);
    const willow = JSON.parse(created.stdout) as { did: string; handle: string };
    const doc = (await (await fetch(`${plcUrl}/${willow.did}`)).json()) as { service: Array<{ id: string; serviceEndpoint: string }> };
    const source = doc.service.find((s) => s.id === "#atproto_pds")!.serviceEndpoint;

    const prep = await cli(D, ["community", "import", "--did", willow.did, "--handle", "willow", "--source", source, "--json"]);
    if (prep.code !== 0) throw new Error(`prepareImport exited ${prep.code}: ${prep.stderr}`);
    const prepared = JSON.parse(prep.stdout);
    lex.assertValidXrpcOutput(NS + "prepareImport", prepared);

    const dir = join(dirs(), "willow-transfer");
    const args = ["community", "transfer", "willow", "--ticket", prepared.importTicket, "-o", dir, "--password-stdin"];
    expect((await cli(S, args, PASSWORD)).code).toBe(2); // no terminal, no confirmation
    expect((await cli(S, [...args, "--confirm", "oak"], PASSWORD)).code).toBe(2);
    expect((await cli(S, [...args, "--confirm", willow.handle, "--password-file", "/nonexistent"], PASSWORD)).code).toBe(2);
    expect(existsSync(dir)).toBe(false);
    const t = await cli(S, [...args, "--confirm", willow.handle, "--json"], PASSWORD);
    if (t.code !== 0) throw new Error(`transfer exited ${t.code}: ${t.stderr}`);
    const transfer = JSON.parse(t.stdout);
    lex.assertValidXrpcOutput(NS + "transfer", transfer);
    expect(mode(join(dir, "transfer.json"))).toBe(0o600);
    expect(mode(join(dir, "repo.car"))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "transfer.json"), "utf8"))).toEqual({ did: willow.did, ...transfer });
    expect(statSync(join(dir, "repo.car")).size).toBeGreaterThan(100);

    const frozen = await cli(S, ["community", "update", "willow", "--description", "still here?", "--json"]);
    expect(frozen.code).toBe(5);
    expect(JSON.parse(frozen.stderr)).toMatchObject({ error: "TransferPending" });

    const done = await cli(D, ["community", "import", "--import-id", prepared.importId, "--token-file", join(dir, "transfer.json"), "--json"]);
    // D's admin prepared the import, but S's admin owns the community: completeImport refuses (04 §8), exit 3.
    expect(done.code).toBe(3);
    expect(JSON.parse(done.stderr)).toMatchObject({ error: "Forbidden", exitCode: 3 });
  }, 60_000);
});
