// IdentityService + PlcClient against a real embedded did:plc directory: genesis, holder updates, failures, tombstones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { P256Keypair, Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { KeyVault } from "../../src/identity/keys.ts";
import { PlcClient, PlcRejectedError, PlcUnavailableError, type PlcOperation } from "../../src/identity/plc-client.ts";
import { IdentityService, type PreparedIdentity } from "../../src/identity/service.ts";
import { DomainError } from "../../src/errors.ts";
import { httpStatusOf } from "../../src/xrpc/errors.ts";
import { silentLogger } from "../../src/util/logger.ts";
import { testConfig } from "../xrpc/_app.ts";
import { captureLogger, openDb, SECRET, startDirectory } from "./_support.ts";

const config = testConfig({ serviceUrl: "https://pds.test.example", serviceDid: "did:web:pds.test.example" });
const FAST = { retryDelaysMs: [5, 5, 5], timeoutMs: 2000 };

let env: Awaited<ReturnType<typeof openDb>>;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let keys: KeyVault;
let plc: PlcClient;
let identity: IdentityService;

beforeAll(async () => {
  env = await openDb();
  directory = await startDirectory();
  keys = await KeyVault.open(env.db, SECRET, { serviceDid: config.serviceDid });
  plc = new PlcClient({ url: directory.url, logger: silentLogger, ...FAST });
  identity = new IdentityService({ config, db: env.db, keys, plc, logger: silentLogger });
});
afterAll(async () => {
  await directory.cleanup();
  await env.cleanup();
});

const data = async (did: string) => {
  const res = await fetch(`${directory.url}/${did}/data`);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/** The creation flow's first two steps, as the accounts service runs them. */
async function create(handle: string, rotationKey?: string): Promise<PreparedIdentity> {
  const prepared = await identity.prepareIdentity({ handle, rotationKey });
  await env.db.transaction((tx) => identity.storeKeysInTx(tx, prepared));
  await identity.submitGenesis(prepared);
  return prepared;
}

/** A server that answers every request with `status` and counts the requests (an external directory misbehaving). */
function fakeDirectory(status: number) {
  let hits = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => {
      hits++;
      return Response.json({ message: "nope\u0000<script>" }, { status });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, hits: () => hits, stop: () => server.stop(true) };
}

describe("genesis", () => {
  test("the directory's data: [holder key, recovery key], signing key, at://handle, service URL", async () => {
    const p = await create("alice.pds.test.example");
    expect(p.did).toMatch(/^did:plc:[a-z2-7]{24}$/);
    const { status, body } = await data(p.did);
    expect(status).toBe(200);
    expect(body.rotationKeys).toHaveLength(2);
    expect(body.rotationKeys[0]).toBe(p.primaryRotationKey!.didKey);
    expect(body.verificationMethods).toEqual({ atproto: p.signingKeypair.did() });
    expect(body.alsoKnownAs).toEqual(["at://alice.pds.test.example"]);
    expect(body.services).toEqual({ atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: config.serviceUrl } });
    // rotationKeys[1] is the stored, encrypted recovery key; the signing key is the stored one too
    const creds = await identity.recommendedCredentials(p.did, "alice.pds.test.example");
    expect(body.rotationKeys[1]).toBe(creds.rotationKeys[0]);
    expect(await identity.signingDidKey(p.did)).toBe(p.signingKeypair.did());
    expect(creds).toEqual({
      rotationKeys: [body.rotationKeys[1]],
      alsoKnownAs: ["at://alice.pds.test.example"],
      verificationMethods: { atproto: p.signingKeypair.did() },
      services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: config.serviceUrl } },
    });
    // the genesis op is signed by the recovery key and hashes to the DID
    expect(await plcLib.didForCreateOp(p.genesisOp as never)).toBe(p.did);
    expect((await identity.signingKeypair(p.did)).did()).toBe(p.signingKeypair.did());
  });

  test("the returned primary rotation key signs an update the directory accepts, and is stored nowhere", async () => {
    const p = await create("bob.pds.test.example");
    const { curve, privateKeyHex, didKey } = p.primaryRotationKey!;
    expect(curve).toBe("secp256k1");
    const holder = await Secp256k1Keypair.import(privateKeyHex);
    expect(holder.did()).toBe(didKey);
    const last = (await plc.getLastOp(p.did)) as never;
    const op = await plcLib.updateHandleOp(last, holder, "bob.elsewhere.example");
    await plc.submit(p.did, op as unknown as PlcOperation);
    expect((await data(p.did)).body.alsoKnownAs).toEqual(["at://bob.elsewhere.example"]);
    // Neither the hex nor the raw bytes appear in any database file (main db + WAL).
    const raw = Buffer.from(privateKeyHex, "hex");
    for (const f of readdirSync(env.dir)) {
      const bytes = readFileSync(join(env.dir, f));
      expect(bytes.includes(raw)).toBe(false);
      expect(bytes.includes(Buffer.from(privateKeyHex))).toBe(false);
    }
  });

  test("with the holder's own rotationKey (P-256 or secp256k1) no private key is returned", async () => {
    for (const holder of [await P256Keypair.create(), await Secp256k1Keypair.create()]) {
      const p = await create(`carol${holder.jwtAlg.toLowerCase()}.pds.test.example`, holder.did());
      expect(p.primaryRotationKey).toBeUndefined();
      expect(Object.keys(p)).not.toContain("primaryRotationKey");
      expect((await data(p.did)).body.rotationKeys[0]).toBe(holder.did());
    }
  });

  test("an invalid rotationKey → 400 InvalidRequest", async () => {
    const ed25519 = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    for (const bad of ["", "did:key:zBogus", "did:web:example.com", ed25519, "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBmX"]) {
      const err = await identity.prepareIdentity({ handle: "x.pds.test.example", rotationKey: bad }).catch((e) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect([httpStatusOf(err), err.error]).toEqual([400, "InvalidRequest"]);
    }
  });

  test("an operation the directory rejects (4xx) → 502 IdentityCreationFailed, not retried", async () => {
    const p = await identity.prepareIdentity({ handle: "dave.pds.test.example" });
    const tampered = { ...p, genesisOp: { ...p.genesisOp, alsoKnownAs: ["at://mallory.pds.test.example"] } };
    const err = await identity.submitGenesis(tampered).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect([httpStatusOf(err), err.error]).toEqual([502, "IdentityCreationFailed"]);
    expect(err.message).toStartWith("PLC directory rejected the identity");
    expect((await data(p.did)).status).toBe(404);

    const fake = fakeDirectory(400);
    try {
      const client = new PlcClient({ url: fake.url, logger: silentLogger, ...FAST });
      const e = await client.submit(p.did, p.genesisOp).catch((x) => x);
      expect(e).toBeInstanceOf(PlcRejectedError);
      expect(e.status).toBe(400);
      expect(e.message).toBe("nope <script>");
      expect(fake.hits()).toBe(1);
    } finally {
      fake.stop();
    }
  });

  test("5xx is retried 3 times, then PlcUnavailableError", async () => {
    const fake = fakeDirectory(503);
    try {
      const client = new PlcClient({ url: fake.url, logger: silentLogger, ...FAST });
      const p = await identity.prepareIdentity({ handle: "erin.pds.test.example" });
      expect(await client.submit(p.did, p.genesisOp).catch((x) => x)).toBeInstanceOf(PlcUnavailableError);
      expect(fake.hits()).toBe(4);
    } finally {
      fake.stop();
    }
  });

  test("directory down → 502 IdentityCreationFailed after retries", async () => {
    const down = await startDirectory();
    await down.stop();
    const { logger, lines } = captureLogger();
    const service = new IdentityService({ config, db: env.db, keys, plc: new PlcClient({ url: down.url, logger, ...FAST }), logger });
    const p = await service.prepareIdentity({ handle: "frank.pds.test.example" });
    const err = await service.submitGenesis(p).catch((e) => e);
    await down.cleanup();
    expect([httpStatusOf(err), err.error, err.message]).toEqual([502, "IdentityCreationFailed", "PLC directory unavailable; try again later"]);
    expect(lines.filter((l) => l.msg === "plc request failed")).toHaveLength(4);
    // nothing secret in the logs
    const text = JSON.stringify(lines);
    expect(text).not.toContain(Buffer.from(await p.signingKeypair.export()).toString("hex"));
    expect(text).not.toContain(p.primaryRotationKey!.privateKeyHex);
  });
});

describe("tombstone", () => {
  test("signs a plc_tombstone with the recovery key; idempotent; unknown DIDs are reported", async () => {
    const p = await create("grace.pds.test.example");
    expect(await identity.tombstone(p.did)).toBe("tombstoned");
    expect((await data(p.did)).status).toBe(404);
    const last = await plc.getLastOp(p.did);
    expect(last?.type).toBe("plc_tombstone");
    expect(await identity.tombstone(p.did)).toBe("already-tombstoned");

    // reserved (keys stored) but PLC never accepted the genesis: nothing to tombstone
    const never = await identity.prepareIdentity({ handle: "heidi.pds.test.example" });
    await env.db.transaction((tx) => identity.storeKeysInTx(tx, never));
    expect(await identity.tombstone(never.did)).toBe("not-found");

    // compensation removes the keys afterwards
    await env.db.transaction((tx) => identity.deleteKeysInTx(tx, never.did));
    await expect(identity.signingKeypair(never.did)).rejects.toThrow("no identity.signing-key stored");
  });
});

describe("resolution", () => {
  test("getDocument resolves from PLC_URL, falls back to PLC_FALLBACK_URL, null when unknown, and caches", async () => {
    const p = await create("ivan.pds.test.example");
    const empty = await startDirectory();
    try {
      const client = new PlcClient({ url: empty.url, fallbackUrl: directory.url, logger: silentLogger, ...FAST });
      const doc = await client.getDocument(p.did);
      expect(doc?.id).toBe(p.did);
      expect(doc?.alsoKnownAs).toEqual(["at://ivan.pds.test.example"]);
      expect(await client.getDocument("did:plc:zzzzzzzzzzzzzzzzzzzzzzzz")).toBeNull();
      const noFallback = new PlcClient({ url: empty.url, logger: silentLogger, ...FAST });
      expect(await noFallback.getDocument(p.did)).toBeNull();
      // cached: still answers with both directories gone; `fresh` bypasses the cache
      await empty.stop();
      const primary = new PlcClient({ url: directory.url, logger: silentLogger, ...FAST });
      expect((await primary.getDocument(p.did))?.id).toBe(p.did);
      expect((await client.getDocument(p.did))?.id).toBe(p.did);
      await expect(client.getDocument(p.did, { fresh: true })).rejects.toBeInstanceOf(PlcUnavailableError);
    } finally {
      await empty.cleanup();
    }
  });

  test("getDocumentData and getLastOp read the primary directory; unknown → null", async () => {
    const p = await create("judy.pds.test.example");
    expect((await plc.getDocumentData(p.did))?.alsoKnownAs).toEqual(["at://judy.pds.test.example"]);
    expect((await plc.getLastOp(p.did))?.sig).toBe(p.genesisOp.sig);
    expect(await plc.getDocumentData("did:plc:zzzzzzzzzzzzzzzzzzzzzzzz")).toBeNull();
    expect(await plc.getLastOp("did:plc:zzzzzzzzzzzzzzzzzzzzzzzz")).toBeNull();
  });
});
