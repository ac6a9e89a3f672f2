// The full account migration between two `ofpds serve --dev` instances sharing one `ofpds plc` directory:
// service auth on A → createAccount on B → getRepo from A → importRepo on B → blob re-upload → PLC update signed
// with the holder's primary rotation key → approval → activate on B → deactivate on A.
import { afterAll, beforeAll, expect, test } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { verifiedRepoRecords } from "../e2e/_xrpc.ts";

const dir = tempDirs("ofpds-migration-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let A: Env;
let B: Env;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  [A, B] = await Promise.all([
    startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" }),
    // B requires approval: a migrated-in account waits for an operator before it may point its DID here
    startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "true" }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);

async function upload(url: string, token: string, bytes: Uint8Array) {
  const r = await fetch(`${url}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "image/png" }, body: bytes as Uint8Array<ArrayBuffer> });
  return { status: r.status, body: (await r.json()) as any };
}

test("an account moves from A to B and its repo verifies against the updated DID document", async () => {
  // --- on A: register, write records, one with a blob
  const name = uniq("mover");
  const reg = await ok(call(A.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(A) } }));
  const did: string = reg.did;
  const primary = await Secp256k1Keypair.import(reg.primaryRotationKey.privateKeyHex);
  expect(primary.did()).toBe(reg.primaryRotationKey.didKey);
  for (let i = 0; i < 5; i++) {
    await ok(call(A.url, "com.atproto.repo.createRecord", { token: reg.accessJwt, body: { repo: did, collection: "app.example.note", rkey: `note${i}`, record: { text: `hello ${i}` } } }));
  }
  const up = await upload(A.url, reg.accessJwt, PNG);
  expect(up.status).toBe(200);
  await ok(call(A.url, "com.atproto.repo.createRecord", { token: reg.accessJwt, body: { repo: did, collection: "app.example.photo", rkey: "p1", record: { image: up.body.blob } } }));
  const onA = await verifiedRepoRecords(A.url, plcUrl, did);
  expect(onA.size).toBe(7); // profile + 5 notes + photo

  // --- service auth for B, minted on A
  const { token } = await ok(call(A.url, "com.atproto.server.getServiceAuth", { token: reg.accessJwt, params: { aud: B.serviceDid, lxm: "com.atproto.server.createAccount" } }));

  // --- createAccount on B with did
  const newName = uniq("moved");
  const acct = await ok(
    call(B.url, "com.atproto.server.createAccount", {
      body: { handle: `${newName}.test`, email: `${newName}@example.org`, password: PASSWORD, inviteCode: await invite(B), did },
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  expect(acct.did).toBe(did);
  // the same token cannot be used twice
  const replay = await call(B.url, "com.atproto.server.createAccount", {
    body: { handle: `${uniq("x")}.test`, email: `${uniq("x")}@example.org`, password: PASSWORD, inviteCode: await invite(B), did },
    headers: { authorization: `Bearer ${token}` },
  });
  expect([replay.status, replay.body.error]).toEqual([401, "InvalidToken"]);
  // listed as pending on B (approval required)
  const pending = await ok(call(B.url, "net.openfederation.account.listPending", { token: B.admin.accessJwt }));
  expect(pending.users.map((u: any) => u.did)).toContain(did);

  // --- export from A, import on B
  const car = new Uint8Array(await (await fetch(`${A.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
  const imp = await fetch(`${B.url}/xrpc/com.atproto.repo.importRepo`, { method: "POST", headers: { authorization: `Bearer ${acct.accessJwt}`, "content-type": "application/vnd.ipld.car" }, body: car });
  expect(imp.status).toBe(200);
  let st = await ok(call(B.url, "com.atproto.server.checkAccountStatus", { token: acct.accessJwt }));
  expect(st).toMatchObject({ activated: false, validDid: false, indexedRecords: 7, expectedBlobs: 1, importedBlobs: 0 });

  // --- blobs: listMissingBlobs on B, fetch from A, upload to B
  const missing = await ok(call(B.url, "com.atproto.repo.listMissingBlobs", { token: acct.accessJwt }));
  expect(missing.blobs.map((b: any) => b.cid)).toEqual([up.body.blob.ref.$link]);
  const blobBytes = new Uint8Array(await (await fetch(`${A.url}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${up.body.blob.ref.$link}`)).arrayBuffer());
  expect((await upload(B.url, acct.accessJwt, blobBytes)).status).toBe(200);
  st = await ok(call(B.url, "com.atproto.server.checkAccountStatus", { token: acct.accessJwt }));
  expect(st).toMatchObject({ expectedBlobs: 1, importedBlobs: 1 });
  expect((await ok(call(B.url, "com.atproto.repo.listMissingBlobs", { token: acct.accessJwt }))).blobs).toEqual([]);

  // --- the PLC update, signed with the holder's primary rotation key
  const creds = await ok(call(B.url, "com.atproto.identity.getRecommendedDidCredentials", { token: acct.accessJwt }));
  expect(creds.services.atproto_pds.endpoint).toBe(`http://localhost:${B.pds.port}`);
  const lastOp = await (await fetch(`${plcUrl}/${did}/log/last`)).json();
  const op = await plcLib.createUpdateOp(lastOp, primary, (prev) => ({
    ...prev,
    rotationKeys: [primary.did(), ...creds.rotationKeys],
    verificationMethods: { atproto: creds.verificationMethods.atproto },
    alsoKnownAs: creds.alsoKnownAs,
    services: creds.services,
  }));

  // approval still missing: submit and activate are refused, nothing changes
  const early = await call(B.url, "com.atproto.identity.submitPlcOperation", { token: acct.accessJwt, body: { operation: op } });
  expect([early.status, early.body.error]).toEqual([403, "AccountNotApproved"]);
  const earlyAct = await call(B.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} });
  expect([earlyAct.status, earlyAct.body.error]).toEqual([403, "AccountNotApproved"]);
  await ok(call(B.url, "net.openfederation.account.approve", { token: B.admin.accessJwt, body: { did } }));
  expect((await B.sql("SELECT status FROM accounts WHERE did = ?", did))[0].status).toBe("deactivated");

  // approved but the DID still points at A: activation refused
  const notYet = await call(B.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} });
  expect([notYet.status, notYet.body.message]).toEqual([400, "DID document does not point to this server"]);

  const sub = await call(B.url, "com.atproto.identity.submitPlcOperation", { token: acct.accessJwt, body: { operation: op } });
  expect(sub.status).toBe(200);
  st = await ok(call(B.url, "com.atproto.server.checkAccountStatus", { token: acct.accessJwt }));
  expect(st.validDid).toBe(true);

  // --- activate on B: #account{active:true}, #identity, #sync
  const seqBefore = (await B.sql<{ s: number }>("SELECT COALESCE(MAX(seq),0) AS s FROM repo_events"))[0]!.s;
  expect((await call(B.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} })).status).toBe(200);
  const ev = await B.sql<{ type: string; body: Uint8Array }>("SELECT type, body FROM repo_events WHERE did = ? AND seq > ? ORDER BY seq", did, seqBefore);
  expect(ev.map((r) => r.type)).toEqual(["#account", "#identity", "#sync"]);
  expect((dagCbor.decode(ev[0]!.body) as any).active).toBe(true);
  expect((dagCbor.decode(ev[1]!.body) as any).handle).toBe(`${newName}.test`);

  // --- deactivate on A
  expect((await call(A.url, "com.atproto.server.deactivateAccount", { token: reg.accessJwt, body: {} })).status).toBe(200);
  expect((await A.sql("SELECT status FROM accounts WHERE did = ?", did))[0].status).toBe("deactivated");

  // --- B's repo verifies against the key now in the DID document and holds the same records
  const doc = await (await fetch(`${plcUrl}/${did}/data`)).json();
  expect(doc.verificationMethods.atproto).toBe(creds.verificationMethods.atproto);
  expect(doc.services.atproto_pds.endpoint).toBe(`http://localhost:${B.pds.port}`);
  const onB = await verifiedRepoRecords(B.url, plcUrl, did);
  expect([...onB.keys()].sort()).toEqual([...onA.keys()].sort());
  // Every record keeps its CID on B, including the photo holding a blob ref (canonical data-model encoding).
  expect(onB).toEqual(onA);
  const photo = await ok(call(B.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.example.photo", rkey: "p1" } }));
  expect(photo.value.image.ref.$link).toBe(up.body.blob.ref.$link);
  // the blob is served by B
  expect((await fetch(`${B.url}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${up.body.blob.ref.$link}`)).status).toBe(200);
  // and the holder writes on B
  await ok(call(B.url, "com.atproto.repo.createRecord", { token: acct.accessJwt, body: { repo: did, collection: "app.example.note", record: { text: "written on B" } } }));
}, 60_000);
