// The PLC tombstone outbox (02 §4) with the directory down: an account deletion, a rejection and a community deletion
// all succeed, their rows stay queued (plc.submitFailed audited once, backoff on the server clock) and are submitted
// once the directory is back and the retry time has come. Jobs are driven by the --dev trigger, time by the dev clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { approvedUser, call, ok, register, startEnv, uniq, type Env } from "./_support.ts";

const dir = tempDirs("ofpds-outbox-");
let e: Env;
let plcPort: number;
let plcDir: string | undefined;
let plc: ReturnType<typeof spawnOfpds> | undefined;

async function startPlc() {
  plcDir ??= dir();
  const p = spawnOfpds(["plc", "--port", String(plcPort), "--data-dir", plcDir], {});
  await waitFor(async () => (await fetch(`http://127.0.0.1:${plcPort}/_health`)).status < 500, 20_000, "ofpds plc");
  return p;
}
async function stopPlc() {
  plc!.proc.kill("SIGTERM");
  await plc!.proc.exited;
}

beforeAll(async () => {
  plcPort = await freePort();
  plc = await startPlc();
  e = await startEnv({ PLC_URL: `http://127.0.0.1:${plcPort}` });
});
afterAll(async () => {
  await e?.stop();
  if (plc && plc.proc.exitCode === null) plc.proc.kill("SIGTERM");
});

const n = async (q: string, ...args: unknown[]) => (await e.sql<{ n: number }>(q, ...args))[0]!.n;
const outbox = async () => await e.sql<{ did: string; subject: string; attempts: number; last_error: string | null }>("SELECT did, subject, attempts, last_error FROM plc_tombstone_outbox ORDER BY did");
const runOutbox = async () => expect((await fetch(`${e.url}/_dev/jobs/plc-tombstone-outbox`, { method: "POST" })).status).toBe(200);
const lastOp = async (did: string) => (await (await fetch(`http://127.0.0.1:${plcPort}/${did}/log/last`)).json()) as { type: string };

test("directory down: deletions commit, rows wait with backoff, and are submitted when it is back", async () => {
  const u = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.export", { token: u.accessJwt, params: { did: u.did } }));
  const pending = await register(e);
  const owner = await approvedUser(e);
  const c = (await ok(call(e.url, "net.openfederation.community.create", { token: owner.accessJwt, body: { handle: uniq("c"), didMethod: "plc" } }))).did as string;
  await stopPlc();

  await ok(call(e.url, "com.atproto.admin.deleteAccount", { token: e.admin.accessJwt, body: { did: u.did } }));
  await ok(call(e.url, "net.openfederation.account.reject", { token: e.admin.accessJwt, body: { did: pending.did } }));
  await ok(call(e.url, "net.openfederation.community.delete", { token: owner.accessJwt, body: { did: c } }));
  // every deletion committed; the keys live on only in the outbox rows
  for (const did of [u.did, pending.did, c]) expect(await n("SELECT count(*) AS n FROM identity_keys WHERE did = ?", did)).toBe(0);
  expect(await n("SELECT count(*) AS n FROM accounts WHERE did = ?", u.did)).toBe(0);
  expect(await n("SELECT count(*) AS n FROM communities WHERE did = ?", c)).toBe(0);

  await runOutbox(); // joins the runs the deletions started
  const expected = [
    { did: u.did, subject: "account" },
    { did: pending.did, subject: "rejected" },
    { did: c, subject: "community" },
  ].sort((a, b) => a.did.localeCompare(b.did));
  expect((await outbox()).map(({ did, subject, attempts }) => ({ did, subject, attempts }))).toEqual(expected.map((x) => ({ ...x, attempts: 1 })));
  for (const row of await outbox()) expect(row.last_error).toContain("PLC directory unavailable");
  const failures = async () => await e.sql<{ target_did: string; actor_type: string; meta: string }>("SELECT target_did, actor_type, meta FROM audit_log WHERE action = 'plc.submitFailed' ORDER BY target_did");
  expect((await failures()).map((f) => [f.target_did, f.actor_type, JSON.parse(f.meta).attempts, JSON.parse(f.meta).subject])).toEqual(expected.map((x) => [x.did, "system", 1, x.subject]));

  // back up, but the retry time (a minute after the failure) has not come: nothing is attempted
  plc = await startPlc();
  await runOutbox();
  expect((await outbox()).map((r) => r.attempts)).toEqual([1, 1, 1]);
  expect((await lastOp(u.did)).type).toBe("plc_operation");

  e.pds.advanceClock(61_000);
  await runOutbox();
  expect(await outbox()).toEqual([]);
  for (const did of [u.did, pending.did, c]) expect((await lastOp(did)).type).toBe("plc_tombstone");
  expect(await failures()).toHaveLength(3); // a success adds no failure row
}, 120_000);
