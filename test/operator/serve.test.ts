// Operator defects of `serve` through the real binary: a used port, start-up lines, config typos, Postgres, permissions.
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPds } from "../_support/pds.ts";
import { freePort, ofpdsCommand, runCli, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";

const dir = tempDirs("ofpds-op-serve-");
const STRONG = { AUTH_JWT_SECRET: "j".repeat(48), KEY_ENCRYPTION_SECRET: "k".repeat(48) };

/** Waits for a process to exit, failing (and killing it) if it is still running after `ms`. */
async function exitWithin(proc: ReturnType<typeof Bun.spawn>, ms: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"running">((r) => (timer = setTimeout(() => r("running"), ms)));
  const code = await Promise.race([proc.exited, late]);
  clearTimeout(timer);
  if (code === "running") {
    proc.kill("SIGKILL");
    throw new Error("the second server kept running on a port that was already in use");
  }
  return code;
}

describe("serve refuses a port already in use (no SO_REUSEPORT)", () => {
  test("a second serve on the first one's port exits 1 with the one-line message; the first keeps serving alone", async () => {
    const first = await startPds();
    try {
      const second = spawnOfpds(["serve", "--dev", "--data-dir", dir(), "--port", String(first.port)], { PLC_PORT: String(await freePort()) });
      expect(await exitWithin(second.proc, 20_000)).toBe(1);
      const lines = second.logs().trim().split("\n");
      expect(lines.at(-1)).toContain(`Port ${first.port} is already in use: stop the other process or choose another port`);
      expect(second.logs()).not.toContain("listening on");
      // Every request now reaches the first server: its request log counts each of them.
      const before = first.logs().split("\n").filter((l) => l.includes('"/xrpc/_health"')).length;
      for (let i = 0; i < 20; i++) expect((await fetch(`${first.url}/xrpc/_health`, { headers: { connection: "close" } })).status).toBe(200);
      await waitFor(async () => first.logs().split("\n").filter((l) => l.includes('"/xrpc/_health"')).length >= before + 20, 5_000, "the first server's request log");
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 60_000);
});

describe("start-up lines", () => {
  test("a dev start prints the `ofpds auth login` line and where the dev admin's password is; the line works", async () => {
    const pds = await startPds();
    try {
      const file = join(pds.dataDir, "dev-admin.txt");
      const line = `Next: ofpds auth login -s ${pds.url} -u admin.test   (the password is in ${file})`;
      await waitFor(async () => pds.logs().includes(line), 5_000, "the next-step line");
      const password = /^password: (.+)$/m.exec(readFileSync(file, "utf8"))![1]!;
      const home = dir();
      const login = await runCli(["auth", "login", "-s", pds.url, "-u", "admin.test", "--password-stdin"], { stdin: password, env: { HOME: home, XDG_CONFIG_HOME: join(home, ".config") } });
      expect(login.stderr).not.toContain("✗");
      expect(login.code).toBe(0);
    } finally {
      await pds.stop();
    }
  });

  test("a production start prints the config file and the data dir it uses", async () => {
    const d = dir();
    const port = await freePort();
    const config = join(d, "config.toml");
    const data = join(d, "data");
    writeFileSync(config, [`pds_hostname = "pds.example.org"`, `port = ${port}`, `data_dir = "${data}"`].join("\n"), { mode: 0o600 });
    const { proc, logs } = spawnOfpds(["serve", "--config", config], STRONG);
    try {
      await waitFor(async () => logs().includes("listening on"), 20_000, "production server");
      expect(logs()).toContain(`  config     ${config}\n`);
      expect(logs()).toContain(`  data dir   ${data}\n`);
      // the --dev job trigger does not exist in production: a real job name is just an unknown path
      const dev = await fetch(`http://127.0.0.1:${port}/_dev/jobs/plc-tombstone-outbox`, { method: "POST" });
      expect(dev.status).toBe(404);
      expect(await dev.text()).not.toContain("ran");
    } finally {
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    }
  });
});

describe("configuration refused at start (exit 78, one line, every problem, nothing written)", () => {
  test("misspelt config-file keys, a bad LOG_LEVEL/LOG_FORMAT and a stray OFPDS_* variable, each with a suggestion", async () => {
    const d = dir();
    const config = join(d, "config.toml");
    const data = join(d, "data");
    writeFileSync(config, [`pds_hostnme = "pds.example.org"`, `data_dir = "${data}"`, `PORT = 8081`, `invite_requird = false`].join("\n"), { mode: 0o600 });
    const r = await runCli(["serve", "--config", config], { env: { ...STRONG, PDS_HOSTNAME: "pds.example.org", LOG_LEVEL: "bogus", LOG_FORMAT: "jsn", OFPDS_DEV_CLOK_FILE: "/x" } });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    for (const part of [
      `config file ${config}: unknown key "pds_hostnme" (did you mean "pds_hostname"?)`,
      `config file ${config}: unknown key "PORT" (did you mean "port"?)`,
      `config file ${config}: unknown key "invite_requird" (did you mean "invite_required"?)`,
      'LOG_LEVEL must be one of debug, info, warn, error (got "bogus")',
      'LOG_FORMAT must be one of pretty, json (got "jsn"; did you mean "json"?)',
      "unknown environment variable OFPDS_DEV_CLOK_FILE (did you mean OFPDS_DEV_CLOCK_FILE?)",
    ]) {
      expect(lines[0]).toContain(part);
    }
    expect(existsSync(data)).toBe(false);
  });
});

describe("an unreachable PostgreSQL", () => {
  // a closed loopback port: ECONNREFUSED at once, retried for DB_CONNECT_TIMEOUT, then one line (DatabaseUnreachable)
  test.each([
    ["DATABASE_URL", (port: number) => ({ DATABASE_URL: `postgres://ofpds:hunter2-secret@127.0.0.1:${port}/ofpds` })],
    ["DB_HOST", (port: number) => ({ DB_HOST: "127.0.0.1", DB_PORT: String(port), DB_PASSWORD: "hunter2-secret" })],
  ] as const)("named by %s: exit 1, one line naming the server without its password, no SQLite file", async (_, pg) => {
    const d = dir();
    for (const dev of [false, true]) {
      const data = join(d, `data-${dev}`);
      const pgPort = await freePort();
      const r = await runCli(["serve", ...(dev ? ["--dev"] : []), "--data-dir", data, "--port", String(await freePort())], {
        env: { ...STRONG, PDS_HOSTNAME: "pds.example.org", OFPDS_CONFIG: join(d, "none.toml"), PLC_PORT: String(await freePort()), DB_CONNECT_TIMEOUT: "1s", ...pg(pgPort) },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot connect to PostgreSQL at postgres://ofpds@127.0.0.1:${pgPort}/ofpds`);
      expect(r.stderr).not.toContain("hunter2");
      expect(existsSync(join(data, "ofpds.sqlite"))).toBe(false);
    }
  });
});

describe("permission problems are named as such", () => {
  // The suite runs as root, whom chmod 000 does not stop: the server is run as `nobody` with setpriv(1).
  const asNobody = (args: string[], env: Record<string, string>) => {
    const home = dir();
    chmodSync(home, 0o777);
    const cmd = ofpdsCommand();
    const proc = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", realpathSync(cmd[0]!), ...cmd.slice(1), ...args], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    return Promise.all([proc.exited, new Response(proc.stderr).text()]).then(([code, stderr]) => ({ code, stderr }));
  };
  const open = () => {
    const d = dir();
    chmodSync(d, 0o755);
    return d;
  };

  test("an unreadable config file: exit 78, `permission denied: <path>`", async () => {
    if (process.getuid?.() !== 0) throw new Error("this test needs root to switch to nobody");
    const d = open();
    const config = join(d, "config.toml");
    writeFileSync(config, 'pds_hostname = "pds.example.org"\n', { mode: 0o600 });
    const r = await asNobody(["serve", "--config", config], STRONG);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`permission denied: ${config} (config file`);
    expect(r.stderr).not.toContain("does not exist");
  });

  test("an unreadable secret file and a data dir the server may not write: both named", async () => {
    if (process.getuid?.() !== 0) throw new Error("this test needs root to switch to nobody");
    const d = open();
    const secret = join(d, "jwt");
    writeFileSync(secret, "s".repeat(48), { mode: 0o600 });
    const data = join(d, "data");
    mkdirSync(data, { mode: 0o700 });
    const r = await asNobody(["serve", "--data-dir", data], { ...STRONG, AUTH_JWT_SECRET: "", AUTH_JWT_SECRET_FILE: secret, PDS_HOSTNAME: "pds.example.org", OFPDS_CONFIG: join(d, "none.toml") });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`permission denied: ${secret} (AUTH_JWT_SECRET file`);
    expect(r.stderr).toContain(`permission denied: ${data} (data dir`);
    expect(existsSync(join(data, "ofpds.sqlite"))).toBe(false);
  });

  test("a data dir under a regular file is named as such", async () => {
    const d = dir();
    writeFileSync(join(d, "plain"), "x");
    const r = await runCli(["serve", "--data-dir", join(d, "plain", "data")], { env: { ...STRONG, PDS_HOSTNAME: "pds.example.org", OFPDS_CONFIG: join(d, "none.toml") } });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`data dir ${join(d, "plain", "data")}: a parent of this path is a file, not a directory`);
  });
});
