// An account migrated INTO our server, read by the stock @atproto/sync consumer: only the PLC update's #identity before activation, then #account active, #identity, #sync of the imported head, then verified commits under the new key.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { stockConsumer, summary } from "./_stock.ts";
import { rk } from "../_support/rkey.ts";

const dir = tempDirs("ofpds-fh-migration-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let A: Env;
let B: Env;

beforeAll(async () => {
  // one directory shared by both servers, as in production
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  [A, B] = await Promise.all([startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" }), startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

const post = (text: string) => ({ $type: "app.bsky.feed.post", text, createdAt: "2026-01-01T00:00:00.000Z" });

test("migrated in: only the PLC update's #identity before activation, then #account active, #identity, #sync of the imported head", async () => {
  try {
    await migrateAndWatch();
  } catch (err) {
    // rethrown with the servers' error lines: a 500 from one of them is otherwise opaque
    const errors = (e: Env) => e.pds.logs().split("\n").filter((l) => /"level":"(error|warn)"/.test(l)).join("\n");
    throw new Error(`${(err as Error).message}\nA:\n${errors(A)}\nB:\n${errors(B)}`);
  }
}, 60_000);

async function migrateAndWatch() {
  // on A: an account with two posts
  const name = uniq("mover");
  const reg = await ok(call(A.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(A) } }));
  const did: string = reg.did;
  for (const rkey of ["a1", "a2"]) await ok(call(A.url, "com.atproto.repo.createRecord", { token: reg.accessJwt, body: { repo: did, collection: "app.bsky.feed.post", rkey: rk(rkey), record: post(rkey) } }));

  // on B: createAccount with the DID (service auth from A), importRepo, PLC update signed by the holder's rotation key
  const { token } = await ok(call(A.url, "com.atproto.server.getServiceAuth", { token: reg.accessJwt, params: { aud: B.serviceDid, lxm: "com.atproto.server.createAccount" } }));
  const newName = uniq("moved");
  const acct = await ok(
    call(B.url, "com.atproto.server.createAccount", {
      body: { handle: `${newName}.test`, email: `${newName}@example.org`, password: PASSWORD, inviteCode: await invite(B), did },
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  const car = new Uint8Array(await (await fetch(`${A.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
  const imp = await fetch(`${B.url}/xrpc/com.atproto.repo.importRepo`, { method: "POST", headers: { authorization: `Bearer ${acct.accessJwt}`, "content-type": "application/vnd.ipld.car" }, body: car });
  expect(imp.status).toBe(200);
  const creds = await ok(call(B.url, "com.atproto.identity.getRecommendedDidCredentials", { token: acct.accessJwt }));
  const primary = await Secp256k1Keypair.import(reg.primaryRotationKey.privateKeyHex);
  const op = await plcLib.createUpdateOp(await (await fetch(`${plcUrl}/${did}/log/last`)).json(), primary, (prev) => ({
    ...prev,
    rotationKeys: [primary.did(), ...creds.rotationKeys],
    verificationMethods: { atproto: creds.verificationMethods.atproto },
    alsoKnownAs: creds.alsoKnownAs,
    services: creds.services,
  }));
  expect((await call(B.url, "com.atproto.identity.submitPlcOperation", { token: acct.accessJwt, body: { operation: op } })).status).toBe(200);

  // the consumer replays B from the start: createAccount and importRepo left nothing (no #commit of the imported
  // repo, no #account); the accepted PLC operation is the one 03 §7 trigger before activation: an #identity
  const fh = stockConsumer({ url: B.url, plcUrl }, 0);
  const beforeActivation = await fh.until((es) => es.some((e) => e.did === did && e.event === "identity"));
  const lastSeqBefore = Math.max(...beforeActivation.map((e) => e.seq));
  expect(fh.errors).toEqual([]);
  expect(summary(beforeActivation, did)).toEqual([["identity"]]);
  expect((await call(B.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} })).status).toBe(200);
  const evts = await fh.until((es) => es.some((e) => e.did === did && e.event === "sync"));
  expect(fh.errors).toEqual([]);
  expect(summary(evts.filter((e) => e.seq > lastSeqBefore), did)).toEqual([["account", true], ["identity"], ["sync"]]);

  // the #sync names B's head (the import re-signed under B's key); the identity is B's, its handle verified both ways
  const headOnB = await ok(call(B.url, "com.atproto.sync.getLatestCommit", { params: { did } }));
  const sync = evts.find((e) => e.did === did && e.event === "sync");
  expect(sync?.event === "sync" && [sync.cid.toString(), sync.rev]).toEqual([headOnB.cid, headOnB.rev]);
  const identity = evts.find((e) => e.did === did && e.event === "identity");
  expect(identity?.event === "identity" && identity.handle).toBe(`${newName}.test`);
  expect(identity?.event === "identity" && identity.didDocument?.service?.map((s) => s.serviceEndpoint)).toEqual([creds.services.atproto_pds.endpoint]);

  // a write on B after activation is a #commit the consumer verifies against the rotated key in the DID document
  await ok(call(B.url, "com.atproto.repo.createRecord", { token: acct.accessJwt, body: { repo: did, collection: "app.bsky.feed.post", rkey: rk("b1"), record: post("on B") } }));
  const after = await fh.until((es) => es.some((e) => e.did === did && e.event === "create"));
  expect(fh.errors).toEqual([]);
  expect(summary(after, did).slice(4)).toEqual([["create", "app.bsky.feed.post", rk("b1"), "on B"]]);
  await fh.destroy();
}
