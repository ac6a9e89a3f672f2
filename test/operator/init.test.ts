// `ofpds init` never replaces the secrets an initialised data dir depends on, and takes the data-dir lock before writing.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPds } from "../_support/pds.ts";
import { freePort, runCli, runOnTty, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";

const dir = tempDirs("ofpds-op-init-");

function setup() {
  const d = dir();
  const pw = join(d, "pw.txt");
  writeFileSync(pw, "correct-Horse-battery-9\n", { mode: 0o600 });
  const config = join(d, "etc", "config.toml");
  const data = join(d, "data");
  const args = ["init", "--config", config, "--data-dir", data, "--hostname", "pds.example.org", "--admin-handle", "alice", "--admin-email", "alice@example.org", "--admin-password-file", pw];
  const secrets = ["auth_jwt_secret", "key_encryption_secret", "bootstrap_admin_password"].map((f) => join(d, "etc", "secrets", f));
  return { d, config, data, args, secrets };
}

describe("init --force", () => {
  test("against an initialised data dir: refused naming the files; secrets byte-identical; the server still starts", async () => {
    const s = setup();
    expect((await runCli(s.args)).code).toBe(0);
    const before = s.secrets.map((f) => readFileSync(f));
    const configBefore = readFileSync(s.config, "utf8");
    const r = await runCli([...s.args, "--force"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("Already initialised");
    expect(r.stderr).toContain(s.secrets[0]!);
    expect(r.stderr).toContain(s.secrets[1]!);
    expect(s.secrets.map((f) => readFileSync(f))).toEqual(before);
    expect(readFileSync(s.config, "utf8")).toBe(configBefore);
    const port = await freePort();
    const { proc, logs } = spawnOfpds(["serve", "--config", s.config, "--port", String(port)]);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/xrpc/_health`)).ok, 20_000, "the server to start");
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${logs()}`);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }, 60_000);

  test("against a data dir in use by a running server: refused (exit 1) before writing anything", async () => {
    const s = setup();
    const pds = await startPds({}, { dataDir: s.data });
    try {
      const r = await runCli([...s.args, "--force"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("already using the data directory");
      expect(existsSync(s.config)).toBe(false);
      expect(existsSync(join(s.d, "etc", "secrets"))).toBe(false);
      expect((await fetch(`${pds.url}/xrpc/_health`)).status).toBe(200);
    } finally {
      await pds.stop();
    }
  }, 60_000);
});

describe("init on a terminal", () => {
  test("Ctrl-C at a prompt exits 130 and writes nothing", async () => {
    const s = setup();
    const { code, out } = await runOnTty(["init", "--config", s.config, "--data-dir", s.data], "Public hostname", "\x03");
    expect(code).toBe(130);
    expect(out).toContain("Cancelled; nothing was written");
    expect(existsSync(s.config)).toBe(false);
    expect(existsSync(s.data)).toBe(false);
  }, 30_000);
  test("a hostname the rules refuse is answered at the prompt, which asks again (then Ctrl-C: 130, nothing written)", async () => {
    const s = setup();
    const { code, out } = await runOnTty(["init", "--config", s.config, "--data-dir", s.data], "Public hostname", "not a host\r\x03");
    expect(out.replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, "")).toContain("Enter a domain name such as pds.example.org");
    expect(code).toBe(130);
    expect(existsSync(s.config)).toBe(false);
  }, 30_000);
});
