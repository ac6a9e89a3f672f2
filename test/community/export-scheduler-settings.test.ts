// EXPORT_SCHEDULER_ENABLED / EXPORT_CHECK_INTERVAL_MS (09 §2, 06 §10): defaults, bounds, no "not supported" warning,
// and against real servers: the job runs on its own timer, and a disabled scheduler registers no job.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { tempDirs, waitFor } from "../_support/process.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { setup, type Setup } from "./moderation-setup.ts";

const dir = tempDirs("ofpds-export-config-");
const STRONG = { AUTH_JWT_SECRET: "a".repeat(40), KEY_ENCRYPTION_SECRET: "b".repeat(40), PDS_HOSTNAME: "pds.example.org" };
const load = (env: Record<string, string>) => {
  const cwd = dir();
  writeFileSync(join(cwd, "config.toml"), "", { mode: 0o600 });
  return loadConfig({ cwd, dev: true, configPath: join(cwd, "config.toml"), env: { ...STRONG, DATA_DIR: join(cwd, "data"), ...env } });
};
function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("settings", () => {
  test("defaults: enabled, every 300000 ms", () => {
    const { config } = load({});
    expect([config.exportSchedulerEnabled, config.exportCheckIntervalMs]).toEqual([true, 300_000]);
  });
  test("set: read, and no longer warned about as unsupported", () => {
    const { config, warnings } = load({ EXPORT_SCHEDULER_ENABLED: "false", EXPORT_CHECK_INTERVAL_MS: "1000" });
    expect([config.exportSchedulerEnabled, config.exportCheckIntervalMs]).toEqual([false, 1000]);
    expect(warnings.filter((w) => w.includes("EXPORT_"))).toEqual([]);
  });
  test.each(["999", "86400001", "5m", "abc"])("EXPORT_CHECK_INTERVAL_MS=%s is refused, and only it", (v) => {
    expect(problems({ EXPORT_CHECK_INTERVAL_MS: v }).map((p) => p.split(" ")[0])).toEqual(["EXPORT_CHECK_INTERVAL_MS"]);
  });
});

const servers: Setup[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

describe("the job on real servers", () => {
  test("EXPORT_CHECK_INTERVAL_MS=1000: a new schedule is snapshotted by the timer alone (bounded wait, no trigger)", async () => {
    const t = await setup({ EXPORT_CHECK_INTERVAL_MS: "1000" });
    servers.push(t);
    const owner = await t.register("tina");
    const did = await t.community(owner, "timed");
    await ok(xrpc(t.pds.url, "net.openfederation.admin.createExportSchedule", { token: t.admin.token, body: { communityDid: did, interval: "monthly" } }));
    await waitFor(async () => (await t.count("SELECT count(*) AS n FROM export_snapshots WHERE community_did = ?", did)) === 1, 15_000, "the timer's snapshot");
  }, 60_000);

  test("EXPORT_SCHEDULER_ENABLED=false: no job (the dev trigger answers 404), schedules can still be managed, nothing is written", async () => {
    const t = await setup({ EXPORT_SCHEDULER_ENABLED: "false" });
    servers.push(t);
    const owner = await t.register("ursula");
    const did = await t.community(owner, "idle");
    await ok(xrpc(t.pds.url, "net.openfederation.admin.createExportSchedule", { token: t.admin.token, body: { communityDid: did, interval: "daily" } }));
    expect((await fetch(`${t.pds.url}/_dev/jobs/export-scheduler`, { method: "POST" })).status).toBe(404);
    expect(await t.count("SELECT count(*) AS n FROM export_snapshots")).toBe(0);
  }, 60_000);
});
