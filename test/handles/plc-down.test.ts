// PLC directory down during updateHandle / submitPlcOperation → 502 UpstreamFailure and nothing changes (02 §4, §11).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { approvedUser, call, startEnv, uniq, type Env } from "../account/_support.ts";

const dir = tempDirs("ofpds-handles-plc-down-");
let e: Env;
let plc: ReturnType<typeof spawnOfpds> | undefined;
let user: Awaited<ReturnType<typeof approvedUser>>;

beforeAll(async () => {
  const plcPort = await freePort();
  const plcDir = dir();
  plc = spawnOfpds(["plc", "--port", String(plcPort), "--data-dir", plcDir], {});
  await waitFor(async () => (await fetch(`http://127.0.0.1:${plcPort}/_health`)).status < 500, 20_000, "ofpds plc");
  e = await startEnv({ PLC_URL: `http://127.0.0.1:${plcPort}` });
  user = await approvedUser(e);
  plc.proc.kill("SIGTERM");
  await plc.proc.exited;
}, 60_000);
afterAll(async () => {
  await e?.stop();
  if (plc && plc.proc.exitCode === null) plc.proc.kill("SIGTERM");
});

test("updateHandle → 502 UpstreamFailure; the old handle stays, no event, no audit", async () => {
  const eventsBefore = await e.sql("SELECT count(*) AS n FROM repo_events WHERE did = ?", user.did);
  const r = await call(e.url, "com.atproto.identity.updateHandle", { token: user.accessJwt, body: { handle: `${uniq("d")}.test` } });
  expect({ status: r.status, error: r.body?.error }).toEqual({ status: 502, error: "UpstreamFailure" });
  expect(await e.sql("SELECT name, external_handle FROM accounts WHERE did = ?", user.did)).toEqual([{ name: user.name, external_handle: null }]);
  expect(await e.sql("SELECT count(*) AS n FROM repo_events WHERE did = ?", user.did)).toEqual(eventsBefore);
  expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'account.handle.update' AND target_did = ?", user.did)).toEqual([{ n: 0 }]);
  const resolved = await call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${user.name}.test` } });
  expect(resolved.body).toEqual({ did: user.did });
}, 60_000);

test("submitPlcOperation → 502 UpstreamFailure (head cannot be read), nothing recorded", async () => {
  const r = await call(e.url, "com.atproto.identity.submitPlcOperation", { token: user.accessJwt, body: { operation: { type: "plc_operation" } } });
  expect({ status: r.status, error: r.body?.error }).toEqual({ status: 502, error: "UpstreamFailure" });
  expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'identity.submitPlcOperation'")).toEqual([{ n: 0 }]);
}, 60_000);
