// No secret reaches the log: a dev start (which creates the dev admin) logs where the password is, never the password or a generated secret.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

let pds: RunningPds;
beforeAll(async () => {
  pds = await startPds();
});
afterAll(async () => {
  await pds?.stop();
});

test("the dev admin password and the generated secrets never appear in the logs", async () => {
  const devAdmin = readFileSync(join(pds.dataDir, "dev-admin.txt"), "utf8");
  const password = /^password: (.+)$/m.exec(devAdmin)?.[1];
  expect(password?.length).toBeGreaterThan(10);
  // the password works (so it is the real one), and the session's tokens stay out of the log too
  const session = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password } }));
  const logs = pds.logs();
  expect(logs).toContain("dev-admin.txt");
  expect(logs).not.toContain(password!);
  expect(logs).not.toContain(session.accessJwt);
  expect(logs).not.toContain(session.refreshJwt);
  const secrets = Object.values(JSON.parse(readFileSync(join(pds.dataDir, "secrets.json"), "utf8")) as Record<string, string>);
  expect(secrets.length).toBe(2);
  for (const secret of secrets) expect(logs).not.toContain(secret);
});
