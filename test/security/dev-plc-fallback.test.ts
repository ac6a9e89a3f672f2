// In --dev the server never contacts a fallback PLC directory: unknown DIDs resolve against the configured one only.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";

let pds: RunningPds;
let fallback: ReturnType<typeof Bun.serve>;
const fallbackHits: string[] = [];

beforeAll(async () => {
  // stands in for https://plc.directory: records every request it receives
  fallback = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch(req) { fallbackHits.push(new URL(req.url).pathname); return new Response("not found", { status: 404 }); } });
  pds = await startPds({ PLC_FALLBACK_URL: `http://127.0.0.1:${fallback.port}` });
});
afterAll(async () => {
  await pds?.stop();
  fallback?.stop(true);
});

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

test("a service-auth token from an unknown did:plc is refused without asking the fallback directory", async () => {
  const desc = (await (await fetch(`${pds.url}/xrpc/com.atproto.server.describeServer`)).json()) as { did: string };
  const iss = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
  const now = Math.floor(Date.now() / 1000);
  const jwt = `${b64url({ alg: "ES256K", typ: "JWT" })}.${b64url({ iss, aud: desc.did, lxm: "com.atproto.server.createAccount", iat: now, exp: now + 60, jti: "x1" })}.${Buffer.from("sig").toString("base64url")}`;
  const res = await fetch(`${pds.url}/xrpc/com.atproto.server.createAccount`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ handle: "mig.test", email: "mig@example.com", password: "correct horse battery staple", did: iss }),
  });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  // the embedded directory was asked (the DID is unknown there) and nothing else was
  expect(fallbackHits).toEqual([]);
  // nothing was written: the DID is not hosted
  const status = await fetch(`${pds.url}/xrpc/com.atproto.sync.getRepoStatus?did=${iss}`);
  expect(status.status).toBe(400);
  expect(((await status.json()) as { error: string }).error).toBe("RepoNotFound");
});
