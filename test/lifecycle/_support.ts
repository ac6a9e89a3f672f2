// Test support for the lifecycle suites: DIDs whose keys the test holds, hand-made service-auth JWTs and repo CARs.
import { Secp256k1Keypair, P256Keypair, type Keypair } from "@atproto/crypto";
import { MemoryBlockstore, Repo, WriteOpAction, blocksToCarFile } from "@atproto/repo";
import * as plcLib from "@did-plc/lib";

export interface TestDid {
  did: string;
  rotation: Secp256k1Keypair;
  signing: Keypair;
}

/** Registers a did:plc directly at the directory; the test holds its rotation and #atproto keys. */
export async function createTestDid(plcUrl: string, opts: { handle?: string; pds?: string; p256?: boolean } = {}): Promise<TestDid> {
  const rotation = await Secp256k1Keypair.create({ exportable: true });
  const signing: Keypair = opts.p256 ? await P256Keypair.create({ exportable: true }) : await Secp256k1Keypair.create({ exportable: true });
  const { op, did } = await plcLib.createOp({
    signingKey: signing.did(),
    handle: `at://${opts.handle ?? "someone.example.com"}`,
    pds: opts.pds ?? "https://old-pds.example.com",
    rotationKeys: [rotation.did()],
    signer: rotation,
  });
  const res = await fetch(`${plcUrl}/${did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(op) });
  if (!res.ok) throw new Error(`PLC refused the test DID: ${res.status} ${await res.text()}`);
  return { did, rotation, signing };
}

/** A service-auth JWT signed by `key`, any claims (defaults: iss, aud, lxm createAccount, exp +60 s, random jti). */
export async function serviceJwt(key: Keypair, claims: Record<string, unknown>): Promise<string> {
  const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: now + 60, lxm: "com.atproto.server.createAccount", jti: crypto.randomUUID(), ...claims };
  const input = `${b({ alg: key.jwtAlg, typ: "JWT" })}.${b(payload)}`;
  const sig = await key.sign(new TextEncoder().encode(input));
  return `${input}.${Buffer.from(sig).toString("base64url")}`;
}

/** A complete repo CAR for `did` holding `records`, signed with `key`; also returns its blocks for truncation tests. */
export async function repoCar(did: string, key: Keypair, records: Array<{ collection: string; rkey: string; record: Record<string, unknown> }>) {
  const storage = new MemoryBlockstore();
  const repo = await Repo.create(
    storage,
    did,
    key,
    records.map((r) => ({ action: WriteOpAction.Create, collection: r.collection, rkey: r.rkey, record: r.record })) as never,
  );
  const car = await blocksToCarFile(repo.cid, storage.blocks);
  return { car, root: repo.cid, blocks: storage.blocks };
}
