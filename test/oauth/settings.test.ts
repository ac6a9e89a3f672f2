// OAuth settings (11 §10): OAUTH_ACCESS_TOKEN_TTL outside 5m-30m exits 78; its value is the token lifetime;
// OAUTH_LOOPBACK_CLIENTS=false refuses the development client at PAR.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, runCli, tempDirs } from "../_support/process.ts";
import { approvedUser, startEnv, type Env } from "../account/_support.ts";
import { authorizeRaw, Dpop, par } from "./_support.ts";

const dirs = tempDirs("ofpds-oauth-settings-");
let e: Env;
beforeAll(async () => {
  e = await startEnv({ OAUTH_ACCESS_TOKEN_TTL: "5m" });
});
afterAll(async () => {
  await e?.stop();
});

test("OAUTH_ACCESS_TOKEN_TTL of 2m or 31m → exit 78 naming the setting", async () => {
  for (const ttl of ["2m", "31m"]) {
    const r = await runCli(["serve", "--dev", "--data-dir", dirs(), "--port", String(await freePort())], { env: { OAUTH_ACCESS_TOKEN_TTL: ttl, PLC_PORT: String(await freePort()) } });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("OAUTH_ACCESS_TOKEN_TTL");
  }
});

test("OAUTH_ACCESS_TOKEN_TTL=5m: tokens live 300 s", async () => {
  const a = await authorizeRaw(e, await approvedUser(e));
  expect(a.tokens.expires_in).toBe(300);
  const claims = JSON.parse(Buffer.from(a.tokens.access_token.split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
  expect(claims.exp - claims.iat).toBe(300);
});

test("OAUTH_LOOPBACK_CLIENTS=false → the loopback client is refused at PAR", async () => {
  const off = await startEnv({ OAUTH_LOOPBACK_CLIENTS: "false" }, { bootstrap: false });
  try {
    const d = await Dpop.create();
    await par(off, d);
    const { res } = await par(off, d);
    expect([res.status, res.body.error, res.body.error_description]).toEqual([400, "invalid_client_metadata", "Loopback clients are not allowed"]);
  } finally {
    await off.stop();
  }
});
