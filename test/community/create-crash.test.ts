// kill -9 during 40 concurrent community.create, then restart: the reconciler frees every name a crash left in `creating` (04 §2).
import { afterAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { openTestDatabase } from "../_support/db.ts";
import { tempDirs, waitFor } from "../_support/process.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123", RATE_LIMITS_ENABLED: "false", PDS_HOSTNAME: "pds.example.com" };
const NS = "net.openfederation.community";
const NAMES = Array.from({ length: 40 }, (_, i) => `crashgroup${i}`);
const dir = tempDirs("ofpds-community-crash-");
let running: RunningPds | undefined;
afterAll(async () => {
  await running?.stop();
});

async function login(url: string, identifier: string, password: string): Promise<string> {
  return (await ok(xrpc(url, "com.atproto.server.createSession", { body: { identifier, password } }))).accessJwt;
}

test("kill -9 during 40 concurrent creates: after restart no row is left creating and every name is usable", async () => {
  const dataDir = dir();
  running = await startPds(ADMIN, { dataDir });
  const admin = await login(running.url, "admin", ADMIN.BOOTSTRAP_ADMIN_PASSWORD);
  const invite = await ok(xrpc(running.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const password = "Pw-olivia-2026-long";
  const reg = await ok(xrpc(running.url, "net.openfederation.account.register", { body: { handle: "olivia", email: "olivia@example.org", password, inviteCode: invite.code } }));
  await ok(xrpc(running.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const token = await login(running.url, "olivia", password);

  // the server's database, opened beside it on the engine under test
  const db = await openTestDatabase(dataDir);
  const creatingCount = async () => (await db.raw.get<{ n: number }>("SELECT count(*) AS n FROM communities WHERE status = 'creating'"))!.n;
  const url = running.url;
  const creates = NAMES.map((handle) =>
    xrpc(url, `${NS}.create`, { token, body: { handle, didMethod: "plc" } }).then((r) => r.status, () => 0),
  );
  // The kill lands while creations are between reserve and finalize.
  await waitFor(async () => (await creatingCount()) >= 3, 20_000, "creations in flight");
  running.proc.kill("SIGKILL");
  await running.proc.exited;
  const statuses = await Promise.all(creates);
  const orphaned = await creatingCount();
  await db.close();
  expect(orphaned).toBeGreaterThan(0);
  running = undefined;

  running = await startPds(ADMIN, { dataDir });
  const db2 = await openTestDatabase(dataDir);
  try {
    // the reconciler runs at start: every `creating` row predates this process
    await waitFor(async () => (await db2.raw.get<{ n: number }>("SELECT count(*) AS n FROM communities WHERE status = 'creating'"))!.n === 0, 20_000, "the reconciler to free the names");
    const live = new Set((await db2.raw.all<{ name: string }>("SELECT name FROM communities WHERE status = 'active'")).map((r) => r.name));
    // acknowledged creations survived
    NAMES.forEach((name, i) => {
      if (statuses[i] === 200) expect(live.has(name)).toBe(true);
    });
    const token2 = await login(running.url, "olivia", password);
    let recreated = 0;
    for (const name of NAMES) {
      if (live.has(name)) {
        const got = await xrpc(running.url, `${NS}.get`, { token: token2, params: { did: name } });
        expect(got.status).toBe(200);
        continue;
      }
      const res = await xrpc(running.url, `${NS}.create`, { token: token2, body: { handle: name, didMethod: "plc" } });
      expect({ name, status: res.status, error: res.body?.error }).toEqual({ name, status: 200, error: undefined });
      recreated++;
    }
    expect(recreated).toBeGreaterThanOrEqual(orphaned);
    const audit = (await db2.raw.get<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'community.orphanRemoved'"))!.n;
    expect(audit).toBe(orphaned);
  } finally {
    await db2.close();
  }
});
