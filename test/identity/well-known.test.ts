// GET /.well-known/did.json over real HTTP (`ofpds serve --dev`), and the wrong-secret refusal at startup.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseMultikey } from "@atproto/crypto";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { freePort, runCli, tempDirs } from "../_support/process.ts";

const dirs = tempDirs("ofpds-wk-");

describe("GET /.well-known/did.json", () => {
  const dataDir = dirs();
  let pds: RunningPds;
  let first: Record<string, any>;
  beforeAll(async () => {
    pds = await startPds({}, { dataDir });
  });
  afterAll(() => pds?.stop());

  test("the service DID document per 02 §9, CORS *", async () => {
    const res = await fetch(`${pds.url}/.well-known/did.json`, { headers: { Origin: "https://app.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("content-type")).toStartWith("application/json");
    const doc = (first = (await res.json()) as Record<string, any>);
    const described = (await (await fetch(`${pds.url}/xrpc/com.atproto.server.describeServer`)).json()) as { did: string };
    const did = described.did;
    expect(did).toStartWith("did:web:");
    expect(doc).toEqual({
      "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/suites/secp256k1-2019/v1"],
      id: did,
      verificationMethod: [{ id: `${did}#atproto`, type: "Multikey", controller: did, publicKeyMultibase: expect.stringMatching(/^zQ3s/) }],
      service: [{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: expect.stringMatching(/^https?:\/\//) }],
    });
    expect(parseMultikey(doc.verificationMethod[0].publicKeyMultibase).jwtAlg).toBe("ES256K");
  });

  test("built from config, never from the Host header", async () => {
    const res = await fetch(`${pds.url}/.well-known/did.json`, { headers: { Host: "evil.example" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(first);
  });

  test("the service key survives a restart (even with a new service DID); a different KEY_ENCRYPTION_SECRET exits 78", async () => {
    expect(await pds.stop()).toBe(0);
    const wrong = await runCli(["serve", "--dev", "--data-dir", dataDir, "--port", String(await freePort())], {
      env: { KEY_ENCRYPTION_SECRET: "w".repeat(48), PLC_PORT: String(await freePort()) },
    });
    expect(wrong.code).toBe(78);
    expect(wrong.stderr).toContain("KEY_ENCRYPTION_SECRET does not match this data directory");

    pds = await startPds({}, { dataDir });
    const again = (await (await fetch(`${pds.url}/.well-known/did.json`)).json()) as Record<string, any>;
    // dev derives the service DID from the (random) port; the one installation key stays
    expect(again.verificationMethod[0].publicKeyMultibase).toBe(first.verificationMethod[0].publicKeyMultibase);
  });
});

describe("GET /.well-known/did.json rate limit", () => {
  let pds: RunningPds;
  beforeAll(async () => {
    pds = await startPds({ DISCOVERY_RATE_LIMIT: "2", RATE_LIMIT_EXEMPT_CIDRS: "10.255.255.255/32" });
  });
  afterAll(() => pds?.stop());

  test("counts against the per-IP discovery limiter", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${pds.url}/.well-known/did.json`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const res = await fetch(`${pds.url}/.well-known/did.json`);
    expect(res.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await res.json()) as { error: string }).error).toBe("RateLimitExceeded");
  });
});
