// Our PLC op signing (src/identity/plc-sign.ts) produces exactly what the reference library does.
import { expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { signedGenesis, signPlcOp } from "../../src/identity/plc-sign.ts";

test("genesis op and DID equal @did-plc/lib's for the same keys (deterministic RFC 6979 signatures)", async () => {
  const recovery = await Secp256k1Keypair.create();
  const signing = await Secp256k1Keypair.create();
  const holder = await Secp256k1Keypair.create();
  const opts = { signingKey: signing.did(), handle: "alice.test", pds: "https://pds.example.org", rotationKeys: [holder.did(), recovery.did()], signer: recovery };
  const ours = await signedGenesis(opts);
  const reference = await plcLib.createOp({ ...opts, handle: "at://alice.test" });
  expect(ours.op).toEqual(reference.op as unknown as typeof ours.op);
  expect(ours.did).toBe(reference.did);
});

test("a tombstone signature matches @did-plc/lib's", async () => {
  const key = await Secp256k1Keypair.create();
  const unsigned = { type: "plc_tombstone", prev: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" };
  expect(await signPlcOp(unsigned, key)).toEqual((await plcLib.addSignature(unsigned, key)) as typeof unsigned & { sig: string });
});
