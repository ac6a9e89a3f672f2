// @did-plc/lib's Client, unchanged, against our directory: create, update, recover, tombstone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Secp256k1Keypair, P256Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { verifyAll } from "../../plc/index.ts";
import { cidForOp } from "../../plc/ops/encoding.ts";
import { get, startTestPlc, type TestPlc } from "./_support.ts";

let plc: TestPlc;
beforeAll(async () => {
  plc = await startTestPlc();
});
afterAll(() => plc.close());

test("create, update handle/PDS/rotation keys, recover, tombstone; log passes strict verify", async () => {
  const client = new plcLib.Client(plc.url);
  const signing = await Secp256k1Keypair.create();
  const recovery = await P256Keypair.create();
  const rotation = await Secp256k1Keypair.create();
  // @did-plc/lib types its signer with the Keypair of its own (older) bundled @atproto/crypto.
  const signer = rotation as any;

  const did = await client.createDid({
    signingKey: signing.did(),
    handle: "alice.test",
    pds: "https://pds.one.test",
    rotationKeys: [recovery.did(), rotation.did()],
    signer,
  });
  expect(did).toMatch(/^did:plc:[a-z2-7]{24}$/);
  expect((await client.getDocumentData(did)).alsoKnownAs).toEqual(["at://alice.test"]);

  await client.updateHandle(did, signer, "alice2.test");
  await client.updatePds(did, signer, "https://pds.two.test");
  const newSigning = await Secp256k1Keypair.create();
  await client.updateAtprotoKey(did, signer, newSigning.did());
  await client.updateRotationKeys(did, signer, [recovery.did(), rotation.did()]);
  const data = await client.getDocumentData(did);
  expect(data).toMatchObject({
    did,
    alsoKnownAs: ["at://alice2.test"],
    rotationKeys: [recovery.did(), rotation.did()],
    verificationMethods: { atproto: newSigning.did() },
    services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://pds.two.test" } },
  });

  // A hijack by the lower rotation key, then recovery by the higher (P-256) key from the op before it.
  const beforeHijack = await client.getLastOp(did);
  const beforeHijackCid = cidForOp(beforeHijack);
  await client.updateHandle(did, signer, "hijacked.test");
  const { sig: _oldSig, ...unsigned } = plcLib.normalizeOp(beforeHijack as plcLib.Operation);
  const recoveryOp = await plcLib.signOperation(
    { ...unsigned, alsoKnownAs: ["at://recovered.test"], prev: beforeHijackCid },
    recovery as any,
  );
  await client.sendOperation(did, recoveryOp);
  const audit = await client.getAuditableLog(did);
  expect(audit.map((e) => e.nullified)).toEqual([false, false, false, false, false, true, false]);

  const doc = await client.getDocument(did);
  const viaHttp = await get(plc.url, `/${did}`);
  expect(viaHttp.body).toEqual(doc as unknown);
  expect(doc.alsoKnownAs).toEqual(["at://recovered.test"]);
  expect(doc.verificationMethod).toEqual([
    { id: `${did}#atproto`, type: "Multikey", controller: did, publicKeyMultibase: newSigning.did().slice(8) },
  ]);
  expect(doc.service).toEqual([{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: "https://pds.two.test" }]);

  await client.tombstone(did, signer);
  const gone = await get(plc.url, `/${did}`);
  expect(gone.status).toBe(404);
  expect(gone.body).toEqual({ message: `DID not available: ${did}` });
  await expect(client.getDocument(did)).rejects.toThrow();

  expect(await verifyAll(plc.dbPath)).toMatchObject({ mismatches: [] });
});
