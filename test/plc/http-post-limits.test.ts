// POST /:did field limits (spec 07 §3 step 4) and the CBOR size cap (step 2): ok/fail boundaries.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { base58btc } from "multiformats/bases/base58";
import { didForGenesis, encodeCbor } from "../../plc/ops/encoding.ts";
import { k256, post, sign, startTestPlc, unsignedOp, type TestPlc } from "./_support.ts";
import { expectRejected } from "./_support.ts";

let plc: TestPlc;
beforeAll(async () => {
  plc = await startTestPlc();
});
afterAll(() => plc.close());

const rejects = (did: string, body: unknown, status: number, message: string | RegExp) => expectRejected(plc.url, did, body, status, message);

const ed25519Key = () => "did:key:" + base58btc.encode(Uint8Array.from([0xed, 0x01, ...crypto.getRandomValues(new Uint8Array(32))]));
const svc = (endpoint = "https://pds.test", type = "AtprotoPersonalDataServer") => ({ type, endpoint });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("limits", () => {
  type Case = [string, (signer: string) => Promise<Record<string, unknown>> | Record<string, unknown>, true | RegExp | string];
  const cases: Case[] = [
    ["aka 10 ok", () => ({ alsoKnownAs: range(10).map((i) => `at://h${i}.test`) }), true],
    ["aka 11 fail", () => ({ alsoKnownAs: range(11).map((i) => `at://h${i}.test`) }), "Too many alsoKnownAs entries (max 10)"],
    ["duplicate aka", () => ({ alsoKnownAs: ["at://a.test", "at://a.test"] }), "Duplicate alsoKnownAs entry: at://a.test"],
    ["aka 258 chars ok", () => ({ alsoKnownAs: ["at://" + "a".repeat(253)] }), true],
    ["aka 259 chars fail", () => ({ alsoKnownAs: ["at://" + "a".repeat(254)] }), /^alsoKnownAs entry too long \(max 258\)/],
    ["rotation keys 10 ok", async (s) => ({ rotationKeys: [s, ...(await Promise.all(range(9).map(async () => (await k256()).did())))] }), true],
    ["rotation keys 11 fail", async (s) => ({ rotationKeys: [s, ...(await Promise.all(range(10).map(async () => (await k256()).did())))] }), "Too many rotationKeys entries (max 10)"],
    ["ed25519 rotation key fail", (s) => { const k = ed25519Key(); return { rotationKeys: [s, k], _bad: k }; }, /^Invalid rotationKey: did:key:z/],
    ["non-did:key rotation key fail", (s) => ({ rotationKeys: [s, "did:web:example.com"] }), "Invalid rotationKey: did:web:example.com"],
    ["duplicate rotation keys ok", (s) => ({ rotationKeys: [s, s] }), true],
    ["VM ed25519 ok", () => ({ verificationMethods: { atproto: ed25519Key() } }), true],
    ["VM non-did:key fail", () => ({ verificationMethods: { atproto: "did:web:example.com" } }), "Invalid verificationMethod key: did:web:example.com"],
    ["VM id 32 ok", () => ({ verificationMethods: { ["a".repeat(32)]: ed25519Key() } }), true],
    ["VM id 33 fail", () => ({ verificationMethods: { ["a".repeat(33)]: ed25519Key() } }), /^verificationMethods id too long \(max 32\)/],
    ["VM 10 entries ok", () => ({ verificationMethods: Object.fromEntries(range(10).map((i) => [`k${i}`, ed25519Key()])) }), true],
    ["VM 11 entries fail", () => ({ verificationMethods: Object.fromEntries(range(11).map((i) => [`k${i}`, ed25519Key()])) }), "Too many verificationMethods entries (max 10)"],
    ["VM value 256 ok", () => ({ verificationMethods: { atproto: "did:key:z" + "2".repeat(247) } }), true],
    ["VM value 257 fail", () => ({ verificationMethods: { atproto: "did:key:z" + "2".repeat(248) } }), /^verificationMethods value too long \(max 256\)/],
    ["services 10 ok", () => ({ services: Object.fromEntries(range(10).map((i) => [`s${i}`, svc()])) }), true],
    ["services 11 fail", () => ({ services: Object.fromEntries(range(11).map((i) => [`s${i}`, svc()])) }), "Too many services entries (max 10)"],
    ["service id 32 ok", () => ({ services: { ["s".repeat(32)]: svc() } }), true],
    ["service id 33 fail", () => ({ services: { ["s".repeat(33)]: svc() } }), /^Service id too long \(max 32\)/],
    ["service type 256 ok", () => ({ services: { x: svc("https://e", "t".repeat(256)) } }), true],
    ["service type 257 fail", () => ({ services: { x: svc("https://e", "t".repeat(257)) } }), "Service type too long (max 256)"],
    ["service endpoint 512 ok", () => ({ services: { x: svc("https://" + "e".repeat(504)) } }), true],
    ["service endpoint 513 fail", () => ({ services: { x: svc("https://" + "e".repeat(505)) } }), "Service endpoint too long (max 512)"],
    [
      "CBOR > 4000 bytes",
      () => ({ services: Object.fromEntries(range(8).map((i) => [`s${i}`, svc("https://" + "e".repeat(504))])) }),
      "Operation too large (4000 bytes maximum in cbor encoding)",
    ],
  ];
  for (const [name, build, expected] of cases) {
    test(name, async () => {
      const key = await k256();
      const { _bad, ...fields } = (await build(key.did())) as Record<string, unknown> & { _bad?: string };
      const op = await sign(unsignedOp(null, { rotationKeys: [key.did()], ...(fields as object) }), key);
      const did = didForGenesis(op);
      if (expected === true) {
        const r = await post(plc.url, did, op);
        expect(r.text).toBe("OK");
        expect(r.status).toBe(200);
      } else {
        if (name.startsWith("CBOR")) expect(encodeCbor(op).byteLength).toBeGreaterThan(4000);
        await rejects(did, op, 400, expected);
      }
    });
  }
  test("an oversized op is refused before its schema is looked at", async () => {
    await rejects("did:plc:cccccccccccccccccccccccc", { junk: "x".repeat(5000) }, 400, "Operation too large (4000 bytes maximum in cbor encoding)");
  });
});

