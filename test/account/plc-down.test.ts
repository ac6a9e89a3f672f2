// PLC unreachable during registration → 502 IdentityCreationFailed, nothing persists, invite use restored; retry works.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { call, ok, PASSWORD, startEnv, type Env } from "./_support.ts";

const dir = tempDirs("ofpds-plc-down-");
let e: Env;
let plcPort: number;
let plc: ReturnType<typeof spawnOfpds> | undefined;

beforeAll(async () => {
  plcPort = await freePort();
  // Bootstrap needs a directory: start one, create the admin, then stop it.
  plc = await startPlc();
  e = await startEnv({ PLC_URL: `http://127.0.0.1:${plcPort}` });
  plc.proc.kill("SIGTERM");
  await plc.proc.exited;
});
afterAll(async () => {
  await e?.stop();
  if (plc && plc.proc.exitCode === null) plc.proc.kill("SIGTERM");
});

let plcDir: string | undefined;
async function startPlc() {
  plcDir ??= dir();
  const p = spawnOfpds(["plc", "--port", String(plcPort), "--data-dir", plcDir], {});
  await waitFor(async () => (await fetch(`http://127.0.0.1:${plcPort}/_health`)).status < 500, 20_000, "ofpds plc");
  return p;
}

test("502 IdentityCreationFailed, no account row, invite use restored; after the directory is back the same call works", async () => {
  const invite = await ok(call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body: {} }));
  const body = { handle: "carol", email: "carol@example.org", password: PASSWORD, inviteCode: invite.code };
  const r = await call(e.url, "net.openfederation.account.register", { body });
  expect({ status: r.status, error: r.body.error }).toEqual({ status: 502, error: "IdentityCreationFailed" });
  expect(await e.sql("SELECT count(*) AS n FROM accounts WHERE name = 'carol' OR email = 'carol@example.org'")).toEqual([{ n: 0 }]);
  expect(await e.sql("SELECT uses_count FROM invites WHERE code = ?", invite.code)).toEqual([{ uses_count: 0 }]);
  expect(await e.sql("SELECT count(*) AS n FROM invite_uses WHERE code = ?", invite.code)).toEqual([{ n: 0 }]);
  expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'account.register' AND meta LIKE '%' || ? || '%'", invite.code)).toEqual([{ n: 0 }]);

  plc = await startPlc();
  const again = await ok(call(e.url, "net.openfederation.account.register", { body }));
  expect(again).toMatchObject({ handle: "carol.test", status: "pending" });
  expect(await e.sql("SELECT uses_count FROM invites WHERE code = ?", invite.code)).toEqual([{ uses_count: 1 }]);
}, 120_000);
