// CLI conventions through the real binary: version, usage errors, exit codes, --json failures, init.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "./_support/process.ts";
import pkg from "../package.json" with { type: "json" };

const dir = tempDirs("ofpds-cli-");
const mode = (p: string) => statSync(p).mode & 0o777;

describe("root conventions", () => {
  test("--version prints the version on stdout only", async () => {
    const r = await runCli(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
  test("--help leads with the commands", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("serve");
    expect(r.stdout).toContain("plc");
    expect(r.stdout).toContain("init");
  });
  test.each([
    [["serve", "--prot", "1"], "Unknown flag --prot (did you mean --port?)"],
    [["srve"], 'Unknown command "srve" (did you mean "serve"?)'],
    [["init", "--password", "x"], "There is no --password flag"],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });
  test("--json failures: empty stdout, one JSON object on stderr", async () => {
    const r = await runCli(["srve", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const err = JSON.parse(r.stderr.trim());
    expect(err).toEqual({ error: "UsageError", message: expect.stringContaining("Unknown command"), exitCode: 2 });
  });
  test("no ANSI colour when piped (errors and help)", async () => {
    const r = await runCli(["srve"]);
    expect(r.stderr).not.toMatch(/\x1b\[/);
    const help = await runCli(["serve", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--port");
    expect(help.stdout).not.toMatch(/\x1b\[/);
  });
});

describe("serve refuses unsafe production config (exit 78, one line, no stack)", () => {
  test("weak and missing secrets, bad names: every problem at once", async () => {
    const d = dir();
    const r = await runCli(["serve", "--data-dir", d], {
      env: { AUTH_JWT_SECRET: "x".repeat(10), PDS_HOSTNAME: "localhost", HANDLE_DOMAIN: "test", OFPDS_CONFIG: join(d, "none.toml") },
    });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    for (const part of ["AUTH_JWT_SECRET must be at least 32 characters", "KEY_ENCRYPTION_SECRET is missing", "PDS_HOSTNAME must be a public domain name", "HANDLE_DOMAIN may not be under .test"]) {
      expect(lines[0]).toContain(part);
    }
    expect(r.stderr).not.toContain("    at ");
    expect(existsSync(join(d, "ofpds.sqlite"))).toBe(false);
  });
  test("placeholder JWT secret and KEK equal to it", async () => {
    const d = dir();
    const r = await runCli(["serve", "--data-dir", d, "--json"], {
      env: { AUTH_JWT_SECRET: "changeme", KEY_ENCRYPTION_SECRET: "changeme", PDS_HOSTNAME: "pds.example.org", OFPDS_CONFIG: join(d, "none.toml") },
    });
    expect(r.code).toBe(78);
    const err = JSON.parse(r.stderr.trim().split("\n").pop()!);
    expect(err.error).toBe("ConfigError");
    expect(err.message).toContain("AUTH_JWT_SECRET is a placeholder value");
    expect(err.message).toContain("KEY_ENCRYPTION_SECRET must be at least 32 characters");
    expect(err.message).not.toContain("changeme");
  });
});

describe("init", () => {
  test("without a terminal, every missing flag is listed at once (exit 2) and nothing is written", async () => {
    const d = dir();
    const r = await runCli(["init", "--config", join(d, "config.toml"), "--data-dir", join(d, "data")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing required arguments: --hostname, --admin-handle, --admin-email, --admin-password-file");
    expect(existsSync(join(d, "config.toml"))).toBe(false);
    expect(existsSync(join(d, "data"))).toBe(false);
  });

  test("from flags: config 0600, secrets 0600, data dir 0700, migrated DB; serve then starts in production", async () => {
    const d = dir();
    const pw = join(d, "pw.txt");
    writeFileSync(pw, "correct-Horse-battery-9\n", { mode: 0o600 });
    const config = join(d, "etc", "config.toml");
    const data = join(d, "data");
    const r = await runCli(["init", "--json", "--config", config, "--data-dir", data, "--hostname", "pds.example.org", "--admin-handle", "alice", "--admin-email", "alice@example.org", "--admin-password-file", pw, "--no-invite-required"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ configPath: config, dataDir: data, schemaVersion: expect.any(Number) });
    expect(mode(config)).toBe(0o600);
    expect(mode(data)).toBe(0o700);
    for (const f of ["auth_jwt_secret", "key_encryption_secret", "bootstrap_admin_password"]) expect(mode(join(out.secretsDir, f))).toBe(0o600);
    const jwt = readFileSync(join(out.secretsDir, "auth_jwt_secret"), "utf8").trim();
    expect(jwt).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const text = readFileSync(config, "utf8");
    expect(text).toContain('pds_hostname = "pds.example.org"');
    expect(text).toContain("invite_required = false");
    expect(text).not.toContain(jwt);
    expect(text).not.toContain("correct-Horse");
    expect(existsSync(join(data, "ofpds.sqlite"))).toBe(true);

    // A second init keeps the config (exit 5) unless --force.
    const again = await runCli(["init", "--config", config, "--data-dir", data, "--hostname", "pds.example.org", "--admin-handle", "alice", "--admin-email", "alice@example.org", "--admin-password-file", pw]);
    expect(again.code).toBe(5);
    expect(readFileSync(join(out.secretsDir, "auth_jwt_secret"), "utf8").trim()).toBe(jwt);
  });

  test("invalid values are usage errors", async () => {
    const d = dir();
    const pw = join(d, "pw.txt");
    writeFileSync(pw, "short\n");
    const r = await runCli(["init", "--config", join(d, "c.toml"), "--data-dir", join(d, "data"), "--hostname", "not a host", "--admin-handle", "-bad-", "--admin-email", "nope", "--admin-password-file", pw]);
    expect(r.code).toBe(2);
    for (const part of ["--hostname must be a domain name", "--admin-handle must be", "--admin-email is not an email address", "the admin password must be 10-128 characters"]) {
      expect(r.stderr).toContain(part);
    }
    expect(existsSync(join(d, "c.toml"))).toBe(false);
  });
});
