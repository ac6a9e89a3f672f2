// The PDS process lifecycle: dev start with embedded PLC, data-set lock, graceful shutdown, production start.
import { describe, expect, test } from "bun:test";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPds } from "./_support/pds.ts";
import { freePort, ofpdsCommand, REPO, runCli, tempDirs, waitFor } from "./_support/process.ts";
import { onPostgres, testDbEnv } from "./_support/db.ts";
import pkg from "../package.json" with { type: "json" };

const dir = tempDirs("ofpds-srv-");

describe("ofpds serve --dev", () => {
  test("answers health, runs the embedded PLC, keeps generated secrets 0600 across restarts", async () => {
    const dataDir = dir();
    const pds = await startPds({}, { dataDir });
    try {
      const health = await fetch(`${pds.url}/xrpc/_health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ version: pkg.version });
      expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const plcHealth = await fetch(`${pds.plcUrl}/_health`);
      expect(plcHealth.status).toBe(200);
      expect(existsSync(join(dataDir, "plc.sqlite"))).toBe(true);
      const info = (await (await fetch(`${pds.url}/xrpc/com.atproto.server.describeServer`)).json()) as { did: string; availableUserDomains: string[] };
      expect(info.did).toBe(`did:web:localhost%3A${pds.port}`);
      expect(info.availableUserDomains).toEqual([".test"]);
      expect(statSync(join(dataDir, "secrets.json")).mode & 0o777).toBe(0o600);
    } finally {
      expect(await pds.stop()).toBe(0);
    }
    const secrets = await Bun.file(join(dataDir, "secrets.json")).text();
    const again = await startPds({}, { dataDir });
    try {
      expect(await Bun.file(join(dataDir, "secrets.json")).text()).toBe(secrets);
    } finally {
      await again.stop();
    }
  });

  test("a second server on the same data dir exits 1 without touching data", async () => {
    const dataDir = dir();
    const pds = await startPds({}, { dataDir });
    try {
      // the SQLite file is the data set's one file; on PostgreSQL the data lives in the server (not in the dir)
      const dataFile = join(dataDir, onPostgres ? "secrets.json" : "ofpds.sqlite");
      const before = statSync(dataFile).mtimeMs;
      const r = await runCli(["serve", "--dev", "--data-dir", dataDir, "--port", String(await freePort())], { env: { PLC_PORT: String(await freePort()) } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("already using the data directory");
      expect(statSync(dataFile).mtimeMs).toBe(before);
      expect((await fetch(`${pds.url}/xrpc/_health`)).status).toBe(200);
    } finally {
      await pds.stop();
    }
  });

  test("SIGTERM under load: every answered request is a complete 200, exit 0, lock released", async () => {
    const dataDir = dir();
    const pds = await startPds({}, { dataDir });
    const statuses: number[] = [];
    let stop = false;
    // Bounded client loops: they end at the signal's effect or after 2 000 requests each.
    const clients = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        try {
          const res = await fetch(`${pds.url}/xrpc/com.atproto.server.describeServer`);
          statuses.push(res.status);
          if (res.status === 200) expect(((await res.json()) as { did: string }).did).toStartWith("did:web:");
        } catch {
          stop = true; // listener closed: connection refused or reset after shutdown began
        }
      }
    });
    // under load means requests are being answered: signal once a few dozen have come back
    await waitFor(async () => statuses.length >= 40, 10_000, "the load to start");
    pds.proc.kill("SIGTERM");
    await Promise.all(clients);
    expect(await pds.proc.exited).toBe(0);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    // the 200 branch above ran: the load was answered before the shutdown began
    expect(statuses).toContain(200);
    expect(pds.logs()).toContain("Shut down cleanly");
    // The lock is free again: a new server starts on the same data dir.
    const next = await startPds({}, { dataDir });
    await next.stop();
  });
});

describe("production mode", () => {
  test("starts with a valid config file and no embedded PLC", async () => {
    const d = dir();
    const port = await freePort();
    const config = join(d, "config.toml");
    writeFileSync(config, [`pds_hostname = "pds.example.org"`, `auth_jwt_secret = "${"j".repeat(48)}"`, `key_encryption_secret = "${"k".repeat(48)}"`, `port = ${port}`].join("\n"), { mode: 0o600 });
    const args = ["serve", "--config", config, "--data-dir", join(d, "data")];
    const proc = Bun.spawn([...ofpdsCommand(), ...args], {
      cwd: REPO,
      env: testDbEnv(args, { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" }, REPO),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/xrpc/_health`)).ok, 20_000, "production server");
      const res = await fetch(`http://127.0.0.1:${port}/xrpc/com.atproto.server.describeServer`);
      expect(((await res.json()) as { did: string }).did).toBe("did:web:pds.example.org");
      expect(res.headers.get("strict-transport-security")).toContain("max-age=63072000");
    } finally {
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    }
    const stderr = await new Response(proc.stderr).text();
    expect(stderr).not.toContain("j".repeat(48));
    expect(stderr).not.toContain("k".repeat(48));
  });
});

describe("start-up failures", () => {
  test("a taken port is a clear runtime error (exit 1) naming the port and the setting", async () => {
    const blocker = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("busy") });
    try {
      const r = await runCli(["serve", "--dev", "--data-dir", dir(), "--port", String(await freePort())], { env: { PLC_PORT: String(blocker.port) } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${blocker.port} is already in use`);
      expect(r.stderr).toContain("PLC_PORT");
      expect(r.stderr).not.toContain("Unexpected error");
    } finally {
      blocker.stop(true);
    }
  });

  test("files the server creates are private (0600) inside a 0700 data dir", async () => {
    const dataDir = dir();
    const pds = await startPds({}, { dataDir });
    await pds.stop();
    for (const f of [...(onPostgres ? [] : ["ofpds.sqlite"]), "plc.sqlite", "ofpds.lock", "secrets.json"]) {
      expect({ f, mode: statSync(join(dataDir, f)).mode & 0o077 }).toEqual({ f, mode: 0 });
    }
  });
});
