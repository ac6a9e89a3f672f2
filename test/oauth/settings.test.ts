// OAuth settings (11 §10): OAUTH_ACCESS_TOKEN_TTL outside 5m-30m exits 78; its value is the token lifetime;
// OAUTH_LOOPBACK_CLIENTS=false refuses the development client at PAR.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, runCli, tempDirs } from "../_support/process.ts";
import { approvedUser, startEnv, type Env } from "../account/_support.ts";
import { authorizeRaw, Dpop, loopbackClientId, pageFlow, par } from "./_support.ts";

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

test("the sign-in POST counts against the per-IP auth limiter shared with createSession → 429 on the page", async () => {
  const limited = await startEnv({ RATE_LIMITS_ENABLED: "true", RATE_LIMIT_EXEMPT_CIDRS: "10.255.255.255/32", AUTH_RATE_LIMIT: "4", GLOBAL_RATE_LIMIT: "10000", REGISTRATION_RATE_LIMIT: "100" });
  try {
    const u = await approvedUser(limited); // admin's and the user's createSession: 2 of 4
    const d = await Dpop.create();
    const { res } = await par(limited, d);
    const first = await pageFlow(limited, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: "wrong-password-1" }, null);
    expect(first.signed.status).toBe(401); // 3 of 4
    const again = () => fetch(first.url, { method: "POST", headers: { cookie: first.cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" }, body: new URLSearchParams({ csrf: first.csrf, step: "signin", identifier: u.name, password: "Correct-horse-9" }).toString() });
    expect((await again()).status).toBe(200); // 4 of 4: the consent page
    const over = await again();
    expect(over.status).toBe(429);
    expect(await over.text()).toContain("Rate limit exceeded");
  } finally {
    await limited.stop();
  }
});
