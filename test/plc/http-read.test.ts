// GET routes, shapes and content types, path DID forms, CORS, health (spec 07 §4, §5).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, renameSync } from "node:fs";
import { auditText, genesis, get, k256, mustPost, p256, post, startTestPlc, type TestPlc } from "./_support.ts";

let plc: TestPlc;
beforeAll(async () => {
  plc = await startTestPlc();
});
afterAll(() => plc.close());

const GET_SUFFIXES = ["", "/data", "/log", "/log/audit", "/log/last"];

describe("genesis on both curves and the five GET routes", () => {
  for (const [name, mk] of [
    ["secp256k1", k256],
    ["P-256", p256],
  ] as const) {
    test(`${name} genesis -> 200, documented shapes and content types`, async () => {
      const key = await mk();
      const vm = await mk();
      const { op, did, cid } = await genesis(key, {
        verificationMethods: { atproto: vm.did() },
        alsoKnownAs: ["at://alice.test"],
      });
      const r = await post(plc.url, did, op);
      expect(r.status).toBe(200);
      expect(r.text).toBe("OK");
      expect(r.headers.get("content-type")).toStartWith("text/plain");

      const doc = await get(plc.url, `/${did}`);
      expect(doc.status).toBe(200);
      expect(doc.headers.get("content-type")).toBe("application/did+ld+json; charset=utf-8");
      const suite = name === "P-256" ? "ecdsa-2019" : "secp256k1-2019";
      expect(doc.body).toEqual({
        "@context": [
          "https://www.w3.org/ns/did/v1",
          "https://w3id.org/security/multikey/v1",
          `https://w3id.org/security/suites/${suite}/v1`,
        ],
        id: did,
        alsoKnownAs: ["at://alice.test"],
        verificationMethod: [
          { id: `${did}#atproto`, type: "Multikey", controller: did, publicKeyMultibase: vm.did().slice("did:key:".length) },
        ],
        service: [{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: "https://pds.test" }],
      });
      expect(JSON.stringify(doc.body)).not.toContain(key.did()); // rotation keys never rendered

      const data = await get(plc.url, `/${did}/data`);
      expect(data.status).toBe(200);
      expect(data.headers.get("content-type")).toStartWith("application/json");
      expect(data.body).toEqual({
        did,
        verificationMethods: { atproto: vm.did() },
        rotationKeys: [key.did()],
        alsoKnownAs: ["at://alice.test"],
        services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://pds.test" } },
      });

      const log = await get(plc.url, `/${did}/log`);
      expect(log.status).toBe(200);
      expect(log.body).toEqual([op]);

      const audit = await get(plc.url, `/${did}/log/audit`);
      expect(audit.status).toBe(200);
      expect(audit.body).toHaveLength(1);
      expect(audit.body[0]).toMatchObject({ did, operation: op, cid, nullified: false });
      expect(audit.body[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const last = await get(plc.url, `/${did}/log/last`);
      expect(last.status).toBe(200);
      expect(last.body).toEqual(op);

      // Raw and percent-encoded path DIDs behave the same on every route.
      for (const suffix of GET_SUFFIXES) {
        const raw = await get(plc.url, `/${did}${suffix}`);
        const enc = await get(plc.url, `/${encodeURIComponent(did)}${suffix}`);
        expect(enc.status).toBe(200);
        expect(enc.text).toBe(raw.text);
        expect(enc.headers.get("content-type")).toBe(raw.headers.get("content-type"));
      }
    });
  }

  test("a P-256 and secp256k1 VM mix lists both suites once, in first-seen order", async () => {
    const key = await k256();
    const [a, b, c] = [await p256(), await k256(), await p256()];
    const { op, did } = await genesis(key, { verificationMethods: { one: a.did(), two: b.did(), three: c.did() } });
    await mustPost(plc.url, did, op);
    const doc = await get(plc.url, `/${did}`);
    expect(doc.body["@context"].slice(2)).toEqual([
      "https://w3id.org/security/suites/ecdsa-2019/v1",
      "https://w3id.org/security/suites/secp256k1-2019/v1",
    ]);
    expect(doc.body.verificationMethod.map((v: { id: string }) => v.id)).toEqual([`${did}#one`, `${did}#two`, `${did}#three`]);
  });

  test("POST to a percent-encoded DID path works like the raw one", async () => {
    const key = await k256();
    const { op, did } = await genesis(key);
    const r = await post(plc.url, encodeURIComponent(did), op);
    expect(r.status).toBe(200);
    expect((await get(plc.url, `/${did}`)).status).toBe(200);
  });
});

describe("unknown DIDs", () => {
  const unknown = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
  for (const suffix of GET_SUFFIXES) {
    test(`GET /<unknown>${suffix} -> 404 DID not registered`, async () => {
      const r = await get(plc.url, `/${unknown}${suffix}`);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: `DID not registered: ${unknown}` });
      const enc = await get(plc.url, `/${encodeURIComponent(unknown)}${suffix}`);
      expect(enc.status).toBe(404);
      expect(enc.body).toEqual({ message: `DID not registered: ${unknown}` });
    });
  }

  test("an upper-case DID is not found", async () => {
    const key = await k256();
    const { op, did } = await genesis(key);
    await mustPost(plc.url, did, op);
    const upper = did.toUpperCase();
    for (const suffix of GET_SUFFIXES) {
      const r = await get(plc.url, `/${upper}${suffix}`);
      expect(r.status).toBe(404);
      expect(r.body.message).toBe(`DID not registered: ${upper}`);
    }
    const half = "did:plc:" + did.slice(8).toUpperCase();
    expect((await get(plc.url, `/${half}`)).status).toBe(404);
  });

  test("malformed percent-escapes are a 404, never a 500", async () => {
    const r = await get(plc.url, "/%E0%A4%A");
    expect(r.status).toBe(404);
    expect(r.body.message).toStartWith("DID not registered");
    const p = await post(plc.url, "%E0%A4%A", "{}");
    expect(p.status).toBe(400);
  });
});

describe("service routes, CORS, errors", () => {
  test("GET / names the service", async () => {
    const r = await get(plc.url, "/");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: "ofpds plc", version: "0.0.0-test" });
  });

  test("every route sends CORS headers; OPTIONS -> 204", async () => {
    for (const path of ["/", "/_health", "/export", "/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "/nope/a/b/c", "/export/stream"]) {
      const r = await fetch(plc.url + path);
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
      expect(r.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
      await r.text();
    }
    const bad = await post(plc.url, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "nope");
    expect(bad.headers.get("access-control-allow-origin")).toBe("*");
    const opt = await fetch(`${plc.url}/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa`, { method: "OPTIONS" });
    expect(opt.status).toBe(204);
    expect(opt.headers.get("access-control-allow-origin")).toBe("*");
    expect(opt.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
  });

  test("unknown routes answer {message} 404", async () => {
    const r = await get(plc.url, "/a/b/c/d");
    expect(r.status).toBe(404);
    expect(typeof r.body.message).toBe("string");
  });
});

describe("/_health", () => {
  test("200 {version}, 503 when the database file is unreadable or gone, 200 again once restored", async () => {
    const own = await startTestPlc();
    try {
      const ok = await get(own.url, "/_health");
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ version: "0.0.0-test" });

      chmodSync(own.dbPath, 0o000);
      // root ignores file modes, so also move the file away: the probe must not be fooled by the open handle.
      renameSync(own.dbPath, own.dbPath + ".moved");
      const bad = await get(own.url, "/_health");
      expect(bad.status).toBe(503);
      expect(bad.body).toEqual({ version: "0.0.0-test", error: "Service Unavailable" });

      renameSync(own.dbPath + ".moved", own.dbPath);
      chmodSync(own.dbPath, 0o600);
      expect((await get(own.url, "/_health")).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  test("a rejected POST writes nothing (sanity check of the helper)", async () => {
    const did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaab";
    const before = await auditText(plc.url, did);
    expect((await post(plc.url, did, {})).status).toBe(400);
    expect(await auditText(plc.url, did)).toBe(before);
  });
});
