// `ofpds doctor` against real servers: a healthy dev server (exit 0, the documented array), the PLC directory
// stopped (a `fail` entry, exit 1), --offline (no network check), a wrong key-encryption secret (fail, exit 1).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync } from "node:fs";
import { freePort, runCli, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { onPostgres } from "../_support/db.ts";

setDefaultTimeout(60_000);
const dir = tempDirs("ofpds-doctor-");
const NETWORK_IDS = ["health", "tls", "did-json", "handle", "websocket", "plc", "clock", "crawlers", "mailer", "oauth"];

let healthy: RunningPds;
beforeAll(async () => {
  healthy = await startPds({ RATE_LIMITS_ENABLED: "false" });
});
afterAll(async () => {
  await healthy?.stop();
});

const plcPortOf = (p: RunningPds) => new URL(p.plcUrl).port;
const doctor = (p: RunningPds, extra: string[] = [], env: Record<string, string> = {}) =>
  runCli(["doctor", "--json", "--dev", "--data-dir", p.dataDir, "--port", String(p.port), ...extra], { env: { PLC_PORT: plcPortOf(p), ...env } });

function parse(stdout: string): Array<{ id: string; status: string; message: string; hint?: string }> {
  const arr = JSON.parse(stdout);
  expect(Array.isArray(arr)).toBe(true);
  for (const r of arr) {
    expect(Object.keys(r).every((k) => ["id", "status", "message", "hint"].includes(k))).toBe(true);
    expect(["ok", "warn", "fail"]).toContain(r.status);
    expect(typeof r.id).toBe("string");
    expect(typeof r.message).toBe("string");
  }
  return arr;
}

test("a healthy dev server: every check present, none fails, exit 0; the human form prints ✓ / ! lines", async () => {
  const r = await doctor(healthy);
  expect(r.code).toBe(0);
  const checks = parse(r.stdout);
  const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
  for (const id of ["config", "data-dir", "database", "keys", "health", "did-json", "handle", "websocket", "plc", "clock", "crawlers", "plc-outbox", "bootstrap", "backup", "trust-proxy", "mailer", "oauth"]) {
    expect(byId[id]).toBeDefined();
  }
  expect(checks.filter((c) => c.status === "fail")).toEqual([]);
  for (const id of ["config", "database", "keys", "health", "did-json", "handle", "websocket", "plc", "clock"]) expect(byId[id]!.status).toBe("ok");
  // dev: no crawlers and no backup yet are warnings with a hint (on both engines: backup create works on each)
  expect(byId.crawlers).toMatchObject({ status: "warn" });
  expect(byId.backup!.hint).toContain("ofpds backup create");
  expect(r.stderr).toBe("");

  const human = await runCli(["doctor", "--dev", "--data-dir", healthy.dataDir, "--port", String(healthy.port)], { env: { PLC_PORT: plcPortOf(healthy) } });
  expect(human.code).toBe(0);
  expect(human.stdout).toContain("✓ database: ");
  expect(human.stdout).toContain("! backup: ");
  expect(human.stdout).not.toContain("\x1b[");
});

test("--offline leaves out every network check", async () => {
  const r = await doctor(healthy, ["--offline"]);
  expect(r.code).toBe(0);
  const ids = parse(r.stdout).map((c) => c.id);
  expect(ids).toEqual(["config", "data-dir", "database", "keys", "plc-outbox", "bootstrap", "backup", "trust-proxy"]);
  for (const id of NETWORK_IDS) expect(ids).not.toContain(id);
});

test("a wrong KEY_ENCRYPTION_SECRET → keys fail, exit 1, stdout still the array and the error on stderr", async () => {
  const r = await doctor(healthy, ["--offline"], { KEY_ENCRYPTION_SECRET: "x".repeat(48) });
  expect(r.code).toBe(1);
  const keys = parse(r.stdout).find((c) => c.id === "keys")!;
  expect(keys).toMatchObject({ status: "fail", message: "KEY_ENCRYPTION_SECRET does not match this data directory" });
  expect(JSON.parse(r.stderr)).toEqual({ error: "DoctorFailed", message: "doctor: 1 check(s) failed: keys", exitCode: 1 });
});

test("a data dir that does not exist → data-dir and database fail, exit 1", async () => {
  const missing = `${dir()}/nothing-here`;
  const r = await runCli(["doctor", "--json", "--offline", "--data-dir", missing], { env: { AUTH_JWT_SECRET: "a".repeat(40), KEY_ENCRYPTION_SECRET: "b".repeat(40), PDS_HOSTNAME: "pds.example.org" } });
  expect(r.code).toBe(1);
  const checks = parse(r.stdout);
  expect(checks.find((c) => c.id === "data-dir")).toMatchObject({ status: "fail" });
  // on SQLite the database is a file in that directory; a PostgreSQL database does not live there, and doctor looks at
  // it without migrating: this brand-new one has no schema until the first serve
  expect(checks.find((c) => c.id === "database")).toMatchObject(onPostgres ? { status: "warn", message: expect.stringContaining("schema version 0") } : { status: "fail" });
  // a look never writes: --dev does not generate secrets (or the directory) where there are none
  const dev = await runCli(["doctor", "--json", "--offline", "--dev", "--data-dir", missing]);
  expect(dev.code).toBe(1);
  expect(parse(dev.stdout).find((c) => c.id === "data-dir")).toMatchObject({ status: "fail" });
  expect(existsSync(missing)).toBe(false);
});

test("a configuration error → one failing config entry listing the problems, exit 1", async () => {
  const r = await runCli(["doctor", "--json", "--offline", "--data-dir", dir()], { env: { AUTH_JWT_SECRET: "short", PDS_HOSTNAME: "localhost" } });
  expect(r.code).toBe(1);
  const checks = parse(r.stdout);
  expect(checks).toHaveLength(1);
  expect(checks[0]).toMatchObject({ id: "config", status: "fail" });
  expect(checks[0]!.message).toContain("AUTH_JWT_SECRET");
});

test("the PLC directory stopped → a `plc` fail entry and exit 1 (the rest still reported); --offline then passes", async () => {
  const plcPort = await freePort();
  const plcDir = dir();
  const plc = spawnOfpds(["plc", "--port", String(plcPort), "--data-dir", plcDir]);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${plcPort}/_health`)).status < 500, 20_000, "ofpds plc");
  const plcUrl = `http://127.0.0.1:${plcPort}`;
  const pds = await startPds({ RATE_LIMITS_ENABLED: "false", PLC_URL: plcUrl });
  try {
    const before = await doctor(pds, [], { PLC_URL: plcUrl });
    expect(parse(before.stdout).find((c) => c.id === "plc")).toMatchObject({ status: "ok" });
    plc.proc.kill("SIGTERM");
    await plc.proc.exited;
    const r = await doctor(pds, [], { PLC_URL: plcUrl });
    expect(r.code).toBe(1);
    const checks = parse(r.stdout);
    const entry = checks.find((c) => c.id === "plc")!;
    expect(entry.status).toBe("fail");
    expect(entry.message).toContain(`the PLC directory ${plcUrl} is unreachable`);
    expect(entry.hint).toContain("PLC_URL");
    expect(checks.find((c) => c.id === "health")).toMatchObject({ status: "ok" });
    expect(JSON.parse(r.stderr)).toMatchObject({ error: "DoctorFailed", exitCode: 1 });
    expect((await doctor(pds, ["--offline"], { PLC_URL: plcUrl })).code).toBe(0);
  } finally {
    await pds.stop();
    if (plc.proc.exitCode === null) plc.proc.kill("SIGTERM");
  }
});

test("X-Forwarded-For arriving while TRUST_PROXY=0 → a trust-proxy warning with the fix", async () => {
  const before = parse((await doctor(healthy, ["--offline"])).stdout).find((c) => c.id === "trust-proxy")!;
  expect(before.status).toBe("ok");
  await fetch(`${healthy.url}/xrpc/_health`, { headers: { "x-forwarded-for": "203.0.113.7" } });
  const res = await fetch(`${healthy.url}/xrpc/com.atproto.server.describeServer`, { headers: { "x-forwarded-for": "203.0.113.7" } });
  expect(res.status).toBe(200);
  await waitFor(async () => parse((await doctor(healthy, ["--offline"])).stdout).find((c) => c.id === "trust-proxy")!.status === "warn", 10_000, "the note");
  const entry = parse((await doctor(healthy, ["--offline"])).stdout).find((c) => c.id === "trust-proxy")!;
  expect(entry.message).toContain("while TRUST_PROXY=0");
  expect(entry.hint).toContain("TRUST_PROXY");
});

test("crawlers: a relay that acknowledged requestCrawl → ok; CRAWLERS naming a dead relay → warn", async () => {
  let crawled = 0;
  const relay = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => (new URL(req.url).pathname === "/xrpc/com.atproto.sync.requestCrawl" ? (crawled++, new Response("{}")) : new Response("", { status: 404 })) });
  const crawlers = `http://127.0.0.1:${relay.port}`;
  const pds = await startPds({ RATE_LIMITS_ENABLED: "false", CRAWLERS: crawlers });
  try {
    await waitFor(async () => crawled > 0, 10_000, "requestCrawl");
    await waitFor(async () => parse((await doctor(pds, [], { CRAWLERS: crawlers })).stdout).find((c) => c.id === "crawlers")!.status === "ok", 10_000, "the crawler note");
    const entry = parse((await doctor(pds, [], { CRAWLERS: crawlers })).stdout).find((c) => c.id === "crawlers")!;
    expect(entry.message).toStartWith("relays notified at ");
    const dead = await doctor(pds, [], { CRAWLERS: "http://127.0.0.1:9" });
    // the note is per data set: a different CRAWLERS value is judged by the same record, so only emptiness differs
    expect(parse(dead.stdout).find((c) => c.id === "crawlers")!.status).toBe("ok");
  } finally {
    await pds.stop();
    relay.stop(true);
  }
  const fresh = await startPds({ RATE_LIMITS_ENABLED: "false", CRAWLERS: "http://127.0.0.1:9" });
  try {
    const entry = parse((await doctor(fresh, [], { CRAWLERS: "http://127.0.0.1:9" })).stdout).find((c) => c.id === "crawlers")!;
    expect(entry).toMatchObject({ status: "warn", message: "no successful requestCrawl recorded" });
  } finally {
    await fresh.stop();
  }
});

test("local warnings: a group-readable data dir, the bootstrap key file and settings, a fresh backup turns the backup check ok", async () => {
  const pds = await startPds({ RATE_LIMITS_ENABLED: "false", BOOTSTRAP_ADMIN_EMAIL: "root@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123" });
  try {
    const first = parse((await doctor(pds, ["--offline"])).stdout);
    expect(first.find((c) => c.id === "bootstrap")).toMatchObject({ status: "warn", message: `still present: ${pds.dataDir}/bootstrap-admin-rotation-key.txt` });
    const withSettings = parse((await doctor(pds, ["--offline"], { BOOTSTRAP_ADMIN_EMAIL: "root@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123" })).stdout);
    expect(withSettings.find((c) => c.id === "bootstrap")!.message).toContain("BOOTSTRAP_ADMIN_* settings");
    expect(first.find((c) => c.id === "backup")!.status).toBe("warn");

    chmodSync(pds.dataDir, 0o750);
    const loose = parse((await doctor(pds, ["--offline"])).stdout).find((c) => c.id === "data-dir")!;
    expect(loose).toMatchObject({ status: "warn", hint: `chmod 700 ${pds.dataDir}` });
    chmodSync(pds.dataDir, 0o700);

    // `backup create` works on both engines and records the backup for this check
    expect((await runCli(["backup", "create", "--dev", "--data-dir", pds.dataDir, "--json"])).code).toBe(0);
    const after = parse((await doctor(pds, ["--offline"])).stdout);
    expect(after.find((c) => c.id === "backup")!.status).toBe("ok");
    expect(after.find((c) => c.id === "data-dir")!.status).toBe("ok");
  } finally {
    await pds.stop();
  }
});

test("mailer: SMTP_URL whose host accepts connections → ok; a closed port → fail and exit 1", async () => {
  const smtp = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open(s) { s.write("220 test ESMTP\r\n"); }, data() {} } });
  try {
    const up = await doctor(healthy, [], { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EMAIL_FROM: "pds@example.org" });
    expect(parse(up.stdout).find((c) => c.id === "mailer")).toMatchObject({ status: "ok", message: `127.0.0.1:${smtp.port} accepts connections` });
  } finally {
    smtp.stop(true);
  }
  const closed = await freePort();
  const down = await doctor(healthy, [], { SMTP_URL: `smtp://127.0.0.1:${closed}`, EMAIL_FROM: "pds@example.org" });
  expect(down.code).toBe(1);
  const entry = parse(down.stdout).find((c) => c.id === "mailer")!;
  expect(entry.status).toBe("fail");
  expect(entry.message).toContain(`the mailer 127.0.0.1:${closed} is unreachable`);
  // the URL (it may hold credentials) is never echoed
  expect(down.stdout).not.toContain("smtp://");
});
