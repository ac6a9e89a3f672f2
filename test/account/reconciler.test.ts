// 02 §4: a registration orphaned between PLC genesis and finalize is tombstoned and removed after a restart.
import { afterAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { tempDirs, waitFor } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123", RATE_LIMITS_ENABLED: "false" };
const dir = tempDirs("ofpds-reconcile-");
let pds: RunningPds | undefined;
afterAll(async () => {
  await pds?.stop();
});

async function register(url: string, admin: string, name: string): Promise<string> {
  const invite = await ok(xrpc(url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const reg = await ok(xrpc(url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: "Pw-reconcile-2026", inviteCode: invite.code } }));
  return reg.did;
}
const adminSession = async (url: string) => (await ok(xrpc(url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN.BOOTSTRAP_ADMIN_PASSWORD } }))).accessJwt;

test("after a restart, an old `creating` row is tombstoned on PLC and removed; a fresh one is left alone", async () => {
  const dataDir = dir();
  pds = await startPds(ADMIN, { dataDir });
  let admin = await adminSession(pds.url);
  const orphan = await register(pds.url, admin, "hank");
  const fresh = await register(pds.url, admin, "ivy");
  await pds.stop();

  // Simulate the crash: both rows back to `creating`; only hank's reservation is older than 10 minutes.
  const db = await openTestDatabase(dataDir);
  const old = new Date(Date.now() - 11 * 60_000).toISOString();
  await db.transaction(async (tx) => {
    await tx.raw.run("UPDATE accounts SET status = 'creating', created_at = ? WHERE did = ?", [old, orphan]);
    await tx.raw.run("UPDATE accounts SET status = 'creating', created_at = ? WHERE did = ?", [new Date().toISOString(), fresh]);
  });
  await db.close();

  pds = await startPds(ADMIN, { dataDir });
  const url = pds.url;
  const plcUrl = pds.plcUrl;
  await waitFor(async () => (await fetch(`${plcUrl}/${orphan}`)).status === 404, 20_000, "the orphan's DID to be tombstoned");
  expect(await (await fetch(`${plcUrl}/${orphan}`)).json()).toEqual({ message: `DID not available: ${orphan}` });
  const view = await openTestDatabase(dataDir);
  await waitFor(async () => !(await view.raw.get("SELECT 1 AS one FROM accounts WHERE did = ?", [orphan])), 10_000, "the orphan row to be removed");
  expect(await view.raw.get("SELECT status FROM accounts WHERE did = ?", [fresh])).toEqual({ status: "creating" });
  expect((await fetch(`${plcUrl}/${fresh}`)).status).toBe(200);
  await view.close();

  admin = await adminSession(url);
  const audit = await ok(xrpc(url, "net.openfederation.audit.list", { token: admin, params: { action: "plc.orphanTombstoned" } }));
  expect(audit.entries.map((e: { targetDid: string }) => e.targetDid)).toEqual([orphan]);
  // The name and email are free again.
  expect(await register(url, admin, "hank")).not.toBe(orphan);
});
