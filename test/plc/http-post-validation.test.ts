// POST /:did rejections (spec 07 §3 steps 1-7): exact status and message, and nothing written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { secp256k1 } from "@noble/curves/secp256k1";
import { p256 as p256Curve } from "@noble/curves/p256";
import { cidForOp, didForGenesis } from "../../plc/ops/encoding.ts";
import {
  genesis,
  k256,
  mustPost,
  p256,
  post,
  sign,
  startTestPlc,
  tombstone,
  unsignedOp,
  update,
  type Op,
  type TestPlc,
} from "./_support.ts";
import { expectRejected } from "./_support.ts";

let plc: TestPlc;
beforeAll(async () => {
  plc = await startTestPlc();
});
afterAll(() => plc.close());

const rejects = (did: string, body: unknown, status: number, message: string | RegExp) => expectRejected(plc.url, did, body, status, message);

const INVALID_SIG = /^Invalid signature on op: /;
const NOT_VALID = /^Not a valid operation/;
const MISORDERED = "Operations not correctly ordered";

// ---- signature mutations built from real signatures ----
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));

function highS(sig: string, curve: "k256" | "p256"): string {
  const n = curve === "k256" ? secp256k1.CURVE.n : p256Curve.CURVE.n;
  const bytes = unb64(sig);
  const s = BigInt("0x" + Buffer.from(bytes.subarray(32)).toString("hex"));
  const flipped = Buffer.from((n - s).toString(16).padStart(64, "0"), "hex");
  const out = new Uint8Array(64);
  out.set(bytes.subarray(0, 32), 0);
  out.set(flipped, 32);
  return b64(out);
}

function derInt(b: Uint8Array): number[] {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = [...b.subarray(i)];
  if (v[0]! & 0x80) v.unshift(0);
  return [0x02, v.length, ...v];
}

function toDer(sig: string): string {
  const bytes = unb64(sig);
  const body = [...derInt(bytes.subarray(0, 32)), ...derInt(bytes.subarray(32))];
  return b64(Uint8Array.from([0x30, body.length, ...body]));
}

/** Set one of the 4 unused low bits of the last base64url char (the decoded bytes stay the same). */
function dirtyPaddingBits(sig: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(sig.at(-1)!);
  return sig.slice(0, -1) + alphabet[last | 1];
}

/** Genesis whose sig is replaced; posted to the DID the mutated op derives, so only the signature is wrong. */
function withSig(op: Op, sig: string) {
  const mutated = { ...op, sig };
  return { op: mutated, did: didForGenesis(mutated) };
}

describe("signature variants -> 400 Invalid signature (never 500)", () => {
  for (const curve of ["k256", "p256"] as const) {
    const mk = curve === "k256" ? k256 : p256;
    test(`${curve}: the unmutated genesis is accepted (control)`, async () => {
      const { op, did } = await genesis(await mk());
      expect((await post(plc.url, did, op)).status).toBe(200);
    });
    const variants: [string, (s: string) => string][] = [
      ["= padding", (s) => s + "=="],
      ["high-S", (s) => highS(s, curve)],
      ["DER", toDer],
      ["embedded newline", (s) => s.slice(0, 40) + "\n" + s.slice(40)],
      ["trailing newline", (s) => s + "\n"],
      ["non-zero padding bits", dirtyPaddingBits],
      ["standard base64 alphabet", (s) => Buffer.from(s, "base64url").toString("base64")],
      ["empty", () => ""],
    ];
    for (const [name, mutate] of variants) {
      test(`${curve}: ${name}`, async () => {
        const { op } = await genesis(await mk());
        const m = withSig(op, mutate(op.sig));
        if (m.op.sig === op.sig) return; // a mutation that happens to be a no-op for this signature
        await rejects(m.did, m.op, 400, INVALID_SIG);
      });
    }
    test(`${curve}: high-S on an update is rejected too`, async () => {
      const key = await mk();
      const g = await genesis(key);
      await mustPost(plc.url, g.did, g.op);
      const u = await update(g.cid, key, { rotationKeys: [key.did()] });
      await rejects(g.did, { ...u.op, sig: highS(u.op.sig, curve) }, 400, INVALID_SIG);
      await rejects(g.did, { ...u.op, sig: dirtyPaddingBits(u.op.sig) }, 400, INVALID_SIG);
      expect((await post(plc.url, g.did, u.op)).status).toBe(200);
    });
  }

  test("genesis signed by a key outside its rotation keys", async () => {
    const listed = await k256();
    const outsider = await k256();
    const op = await sign(unsignedOp(null, { rotationKeys: [listed.did()] }), outsider);
    await rejects(didForGenesis(op), op, 400, INVALID_SIG);
  });

  test("sig that is not a string -> not a valid operation", async () => {
    const { op, did } = await genesis(await k256());
    await rejects(did, { ...op, sig: 12 }, 400, NOT_VALID);
  });
});

describe("genesis hash", () => {
  test("genesis posted to another DID", async () => {
    const { op, did } = await genesis(await k256());
    const other = "did:plc:" + (did.slice(8, 9) === "a" ? "b" : "a") + did.slice(9);
    await rejects(other, op, 400, `Hash of genesis operation does not match DID identifier: ${did}`);
  });
  test("genesis posted to a 25-char DID (its own DID + one char)", async () => {
    const { op, did } = await genesis(await k256());
    await rejects(did + "a", op, 400, `Hash of genesis operation does not match DID identifier: ${did}`);
  });
  test("genesis posted to a 23-char prefix of its DID", async () => {
    const { op, did } = await genesis(await k256());
    await rejects(did.slice(0, -1), op, 400, `Hash of genesis operation does not match DID identifier: ${did}`);
  });
  test("a path that is not a did:plc -> 400", async () => {
    const { op } = await genesis(await k256());
    await rejects("did:web:example.com", op, 400, "Invalid DID: did:web:example.com");
  });
});

describe("body and schema", () => {
  const did = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";
  test("non-JSON body -> 400", () => rejects(did, "{not json", 400, "Request body is not valid JSON"));
  test("empty body -> 400", () => rejects(did, "", 400, "Request body is not valid JSON"));
  test("101 kB body -> 413", () => rejects(did, JSON.stringify({ pad: "x".repeat(101_000) }), 413, /too large/));
  test("{} -> Not a valid operation", () => rejects(did, {}, 400, NOT_VALID));
  test("JSON array / string / null -> Not a valid operation", async () => {
    await rejects(did, [], 400, NOT_VALID);
    await rejects(did, '"plc_operation"', 400, NOT_VALID);
    await rejects(did, "null", 400, NOT_VALID);
  });

  test("legacy create on POST -> Not a valid operation", async () => {
    const key = await k256();
    const op = await sign(
      { type: "create", signingKey: key.did(), recoveryKey: key.did(), handle: "x.test", service: "https://pds.test", prev: null },
      key,
    );
    await rejects(didForGenesis(op), op, 400, NOT_VALID);
  });

  for (const [name, tweak] of [
    ["extra top-level key", (u: Record<string, unknown>) => ({ ...u, extra: 1 })],
    ["extra service key", (u: Record<string, unknown>) => ({ ...u, services: { atproto_pds: { type: "T", endpoint: "https://e", x: 1 } } })],
    ["missing prev", (u: Record<string, unknown>) => { const { prev: _p, ...rest } = u; return rest; }],
    ["missing services", (u: Record<string, unknown>) => { const { services: _s, ...rest } = u; return rest; }],
    ["rotationKeys not an array", (u: Record<string, unknown>) => ({ ...u, rotationKeys: "did:key:z" })],
    ["alsoKnownAs with a number", (u: Record<string, unknown>) => ({ ...u, alsoKnownAs: [1] })],
    ["verificationMethods as array", (u: Record<string, unknown>) => ({ ...u, verificationMethods: [] })],
    ["unknown type", (u: Record<string, unknown>) => ({ ...u, type: "plc_update" })],
  ] as const) {
    test(`${name} -> Not a valid operation`, async () => {
      const key = await k256();
      const op = await sign(tweak(unsignedOp(null, { rotationKeys: [key.did()] })), key);
      await rejects(didForGenesis(op), op, 400, NOT_VALID);
    });
  }

  test("tombstone with an extra key -> Not a valid operation", async () => {
    const key = await k256();
    const g = await genesis(key);
    await mustPost(plc.url, g.did, g.op);
    const t = await sign({ type: "plc_tombstone", prev: g.cid, note: "x" }, key);
    await rejects(g.did, t, 400, NOT_VALID);
  });
});

describe("ordering (prev) rules", () => {
  async function registered() {
    const key = await k256();
    const g = await genesis(key);
    await mustPost(plc.url, g.did, g.op);
    return { key, ...g };
  }

  test("re-POST of an identical genesis -> misordered", async () => {
    const g = await registered();
    await rejects(g.did, g.op, 400, MISORDERED);
  });
  test("tombstone of an unknown DID -> misordered", async () => {
    const key = await k256();
    const t = await tombstone("bafyreidj5ywfhbfvr27l4cc7a3u4clup5vx343ufuzdliethuhzzxjbg4q", key);
    await rejects("did:plc:dddddddddddddddddddddddd", t.op, 400, MISORDERED);
  });
  test("update signed by a non-rotation key -> Invalid signature", async () => {
    const g = await registered();
    const stranger = await k256();
    const u = await update(g.cid, stranger, { rotationKeys: [stranger.did()] });
    await rejects(g.did, u.op, 400, INVALID_SIG);
  });
  test("unknown prev -> misordered", async () => {
    const g = await registered();
    const other = await registered();
    const u = await update(other.cid, g.key, { rotationKeys: [g.key.did()] });
    await rejects(g.did, u.op, 400, MISORDERED);
  });
  for (const garbage of ["abc", "", "bafyrei", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", "BAFYREIDJ5YWFHBFVR27L4CC7A3U4CLUP5VX343UFUZDLIETHUHZZXJBG4Q"]) {
    test(`garbage prev ${JSON.stringify(garbage)} -> 400`, async () => {
      const g = await registered();
      const u = await update(garbage, g.key, { rotationKeys: [g.key.did()] });
      await rejects(g.did, u.op, 400, MISORDERED);
    });
  }
  test("prev of a non-string type -> Not a valid operation", async () => {
    const g = await registered();
    const op = await sign({ ...unsignedOp(null, { rotationKeys: [g.key.did()] }), prev: { "/": g.cid } }, g.key);
    await rejects(g.did, op, 400, NOT_VALID);
  });
  test("prev:null on an existing DID -> misordered", async () => {
    const g = await registered();
    const u = await sign(unsignedOp(null, { rotationKeys: [g.key.did()] }), g.key);
    await rejects(g.did, u, 400, MISORDERED);
  });
  test("an update of an unknown DID (prev set, no genesis) -> 400", async () => {
    const g = await registered();
    const u = await update(g.cid, g.key, { rotationKeys: [g.key.did()] });
    const r = await post(plc.url, "did:plc:eeeeeeeeeeeeeeeeeeeeeeee", u.op);
    expect(r.status).toBe(400);
    expect(cidForOp(u.op)).toBe(u.cid);
  });
});
