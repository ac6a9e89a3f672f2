// Unit tests of the transferred-CAR verification (04 §8 completeImport): signature, root, owner, shape.
import { describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import { MemoryBlockstore, Repo, WriteOpAction, getFullRepo } from "@atproto/repo";
import { verifyCommunityCar } from "../../src/community/import-verify.ts";
import { decodeTicket, encodeTicket } from "../../src/community/transfer-ticket.ts";
import { DomainError } from "../../src/errors.ts";
import { httpStatusOf } from "../../src/xrpc/errors.ts";

const NS = "net.openfederation.community";
const DID = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
const OWNER = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";
const MEMBER = "did:plc:cccccccccccccccccccccccc";
const at = "2026-01-01T00:00:00.000Z";

function records(owners = [OWNER]) {
  return [
    { collection: `${NS}.settings`, rkey: "self", record: { $type: `${NS}.settings`, didMethod: "plc", governanceModel: "benevolent-dictator", visibility: "public", joinPolicy: "open" } },
    { collection: `${NS}.profile`, rkey: "self", record: { $type: `${NS}.profile`, displayName: "G", description: "", createdAt: at } },
    { collection: `${NS}.role`, rkey: "owner", record: { $type: `${NS}.role`, name: "owner", permissions: [] } },
    { collection: `${NS}.role`, rkey: "member", record: { $type: `${NS}.role`, name: "member", permissions: [] } },
    ...owners.map((d) => ({ collection: `${NS}.member`, rkey: d, record: { $type: `${NS}.member`, did: d, handle: "x.test", roleRkey: "owner", joinedAt: at } })),
    { collection: `${NS}.member`, rkey: MEMBER, record: { $type: `${NS}.member`, did: MEMBER, handle: "y.test", roleRkey: "member", joinedAt: at } },
  ];
}

async function carOf(key: Secp256k1Keypair, recs = records()) {
  const storage = new MemoryBlockstore();
  const repo = await Repo.create(storage, DID, key, recs.map((r) => ({ action: WriteOpAction.Create, ...r })) as never);
  const chunks: Uint8Array[] = [];
  for await (const c of getFullRepo(storage, repo.cid)) chunks.push(c);
  return { car: Buffer.concat(chunks), root: repo.cid.toString() };
}

async function failure(p: Promise<unknown>): Promise<[number, string]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return [httpStatusOf(err), err.error];
    throw err;
  }
  throw new Error("expected a failure");
}

describe("verifyCommunityCar", () => {
  test("accepts a CAR signed by an accepted key, with the records and the owner", async () => {
    const key = await Secp256k1Keypair.create();
    const { car, root } = await carOf(key);
    const v = await verifyCommunityCar(car, { did: DID, acceptKeys: [key.did()], rootCid: root, ownerDid: OWNER });
    expect(v.ownerDid).toBe(OWNER);
    expect(v.records).toHaveLength(6);
  });

  test("a CAR signed by another key → 400 InvalidSignature", async () => {
    const key = await Secp256k1Keypair.create();
    const other = await Secp256k1Keypair.create();
    const { car, root } = await carOf(other);
    expect(await failure(verifyCommunityCar(car, { did: DID, acceptKeys: [key.did()], rootCid: root, ownerDid: OWNER }))).toEqual([400, "InvalidSignature"]);
  });

  test("another root CID, another DID, garbage → 400 InvalidCar", async () => {
    const key = await Secp256k1Keypair.create();
    const { car, root } = await carOf(key);
    const { root: otherRoot } = await carOf(key, records().slice(0, 5));
    expect(await failure(verifyCommunityCar(car, { did: DID, acceptKeys: [key.did()], rootCid: otherRoot, ownerDid: OWNER }))).toEqual([400, "InvalidCar"]);
    expect(await failure(verifyCommunityCar(car, { did: OWNER, acceptKeys: [key.did()], rootCid: root, ownerDid: OWNER }))).toEqual([400, "InvalidCar"]);
    expect(await failure(verifyCommunityCar(new Uint8Array([1, 2, 3]), { did: DID, acceptKeys: [key.did()], rootCid: root, ownerDid: OWNER }))).toEqual([400, "InvalidCar"]);
  });

  test("the caller is not the owner → 403; two owners → 400 InvalidCar", async () => {
    const key = await Secp256k1Keypair.create();
    const { car, root } = await carOf(key);
    expect(await failure(verifyCommunityCar(car, { did: DID, acceptKeys: [key.did()], rootCid: root, ownerDid: MEMBER }))).toEqual([403, "Forbidden"]);
    const two = await carOf(key, records([OWNER, "did:plc:dddddddddddddddddddddddd"]));
    expect(await failure(verifyCommunityCar(two.car, { did: DID, acceptKeys: [key.did()], rootCid: two.root, ownerDid: OWNER }))).toEqual([400, "InvalidCar"]);
  });
});

describe("import ticket", () => {
  const good = async () => ({
    v: 1 as const, importId: "abc", endpoint: "https://d.example.com", handle: "moved.d.example.com",
    signingKey: (await Secp256k1Keypair.create()).did(), recoveryKey: (await Secp256k1Keypair.create()).did(),
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  });
  test("round trip", async () => {
    const t = await good();
    expect(decodeTicket(encodeTicket(t), { allowPrivate: false, now: Date.now() })).toEqual(t);
  });
  test("garbage, expired, http without private fetch, bad keys → 400", async () => {
    const t = await good();
    const bad = (raw: string, allowPrivate = false) => {
      try {
        decodeTicket(raw, { allowPrivate, now: Date.now() });
      } catch (err) {
        return httpStatusOf(err as DomainError);
      }
      return 200;
    };
    expect(bad("not a ticket!")).toBe(400);
    expect(bad(Buffer.from("{}").toString("base64url"))).toBe(400);
    expect(bad(encodeTicket({ ...t, expiresAt: new Date(Date.now() - 1000).toISOString() }))).toBe(400);
    expect(bad(encodeTicket({ ...t, endpoint: "http://d.example.com" }))).toBe(400);
    expect(bad(encodeTicket({ ...t, endpoint: "http://d.example.com" }), true)).toBe(200);
    expect(bad(encodeTicket({ ...t, signingKey: "did:key:nope" }))).toBe(400);
  });
});
