// The CLI's refresh-on-ExpiredToken path against the real server: the saved access token looks fresh to the
// CLI, the server's clock says it has expired, so the command gets ExpiredToken, refreshes once, retries, and succeeds.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";

const PASSWORD = "Admin-password-1234";
const home = tempDirs("ofpds-cli-refresh-")();
const saved = () => JSON.parse(readFileSync(join(home, "ofpds", "sessions.json"), "utf8"))[pds.url] as { accessJwt: string; refreshJwt: string; did: string };
const exp = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).exp as number;
const getSession = (token: string) => fetch(`${pds.url}/xrpc/com.atproto.server.getSession`, { headers: { authorization: `Bearer ${token}` } });

let pds: RunningPds;
beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
  const login = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", pds.url], { stdin: PASSWORD, env: { XDG_CONFIG_HOME: home } });
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await pds?.stop();
});

test("an access token the server says has expired → one refreshSession, the command succeeds, the new pair is saved", async () => {
  const before = saved();
  // 16 minutes pass on the server only: the token is past its 15-minute exp there, but the CLI (on the wall
  // clock) still sees about 15 minutes left, so it does not refresh ahead of time: it must react to the error.
  pds.advanceClock(16 * 60_000);
  expect(exp(before.accessJwt) - Date.now() / 1000).toBeGreaterThan(60);
  const stale = await getSession(before.accessJwt);
  expect([stale.status, ((await stale.json()) as { error: string }).error]).toEqual([400, "ExpiredToken"]);

  const r = await runCli(["invite", "list", "--json", "-s", pds.url], { env: { XDG_CONFIG_HOME: home } });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(Array.isArray(JSON.parse(r.stdout).invites)).toBe(true);

  const after = saved();
  expect(after.did).toBe(before.did);
  expect(after.accessJwt).not.toBe(before.accessJwt);
  expect(after.refreshJwt).not.toBe(before.refreshJwt);
  expect((await getSession(after.accessJwt)).status).toBe(200);
  // exactly one rotation in this session: one refresh, not one per retry
  const sid = JSON.parse(Buffer.from(before.refreshJwt.split(".")[1]!, "base64url").toString()).sid as string;
  const db = await openTestDatabase(pds.dataDir);
  try {
    expect(await db.raw.get("SELECT count(*) AS n FROM refresh_tokens WHERE sid = ? AND rotated_at IS NOT NULL", [sid])).toEqual({ n: 1 });
  } finally {
    await db.close();
  }
});
