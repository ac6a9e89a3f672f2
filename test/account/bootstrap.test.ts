// Bootstrap admin (01 §6) and the development admin (09 §3) at server start.
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "../_support/process.ts";
import { startPds } from "../_support/pds.ts";
import { ADMIN, call, ok, startEnv } from "./_support.ts";

const dir = tempDirs("ofpds-bootstrap-");
const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of stops) await s();
});

test("dev mode without bootstrap vars creates `admin` and writes dev-admin.txt (0600)", async () => {
  const e = await startEnv({}, { bootstrap: false });
  stops.push(() => e.stop());
  const file = join(e.pds.dataDir, "dev-admin.txt");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const password = /password: (\S+)/.exec(readFileSync(file, "utf8"))![1]!;
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: "admin", password } }));
  expect(s.roles).toEqual(["admin", "auditor", "moderator", "partner-manager", "user"]);
});

test("bootstrap: created once with rotation key file; restart is idempotent; partial match promotes nobody", async () => {
  const dataDir = dir();
  const env = { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS_ENABLED: "false" };
  let pds = await startPds(env, { dataDir });
  expect(pds.logs()).toContain("✓ Bootstrap admin user created");
  const keyFile = join(dataDir, "bootstrap-admin-rotation-key.txt");
  expect(existsSync(keyFile)).toBe(true);
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  await pds.stop();
  pds = await startPds(env, { dataDir });
  expect(pds.logs()).not.toContain("✓ Bootstrap admin user created");
  expect(pds.logs()).toContain("remove them");
  await pds.stop();
  // same handle, different email → nobody promoted, error logged, server up
  pds = await startPds({ ...env, BOOTSTRAP_ADMIN_EMAIL: "other@example.org" }, { dataDir });
  stops.push(() => pds.stop());
  expect(pds.logs()).toContain("bootstrap admin not created");
  const list = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN.password } }));
  const admins = await ok(call(pds.url, "net.openfederation.account.list", { token: list.accessJwt, params: { role: "admin" } }));
  expect(admins.total).toBe(1);
}, 60_000);
