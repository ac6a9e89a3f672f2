// com.atproto.identity.getRecommendedDidCredentials over HTTP: matches what the PLC directory holds for the caller.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
let pds: RunningPds;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
});
afterAll(() => pds?.stop());

test("the caller's recovery key, handle, signing key and service endpoint, as in its PLC data", async () => {
  const session = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }));
  const creds = await ok(xrpc(pds.url, "com.atproto.identity.getRecommendedDidCredentials", { token: session.accessJwt }));
  const data = (await (await fetch(`${pds.plcUrl}/${session.did}/data`)).json()) as Record<string, any>;
  expect(creds).toEqual({
    rotationKeys: [data.rotationKeys[1]],
    alsoKnownAs: [`at://${session.handle}`],
    verificationMethods: data.verificationMethods,
    services: data.services,
  });
  expect(data.alsoKnownAs).toEqual(creds.alsoKnownAs);
});

test("unauthenticated → 401", async () => {
  const r = await xrpc(pds.url, "com.atproto.identity.getRecommendedDidCredentials");
  expect(r.status).toBe(401);
});
