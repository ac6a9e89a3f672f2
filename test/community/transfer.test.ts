// Community transfer to another server (04 §8), end to end between two `ofpds serve --dev` instances sharing one
// `ofpds plc`: prepareImport on D → transfer on S (frozen) → completeImport on D → S migrated.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import { call, ok, PASSWORD, register, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { ownerOnBoth } from "./transfer-setup.ts";

const NS = "net.openfederation.community";
const dir = tempDirs("ofpds-ctransfer-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let S: Env;
let D: Env;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  [S, D] = await Promise.all([startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" }), startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" })]);
}, 60_000);

afterAll(async () => {
  if (process.env.TRANSFER_LOGS) console.log(S?.pds.logs(), D?.pds.logs());
  await Promise.all([S?.stop(), D?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

const sURL = () => `http://localhost:${S.pds.port}`;
const dURL = () => `http://localhost:${D.pds.port}`;
/** A local account (APPROVAL_REQUIRED=false: approved at once) with a session. */
async function approvedUser(e: Env) {
  const name = uniq("u");
  const reg = await register(e, name);
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: name, password: PASSWORD } }));
  return { did: reg.did as string, accessJwt: s.accessJwt as string };
}
const plcData = async (did: string) => (await (await fetch(`${plcUrl}/${did}/data`)).json()) as any;


describe("plc community moves from S to D", () => {
  let owner: Awaited<ReturnType<typeof ownerOnBoth>>;
  let member: Awaited<ReturnType<typeof approvedUser>>;
  let community: { did: string; handle: string };
  let prepared: any;
  let pkg: any;
  let sRecords: Map<string, string>;
  const dName = uniq("moved");

  beforeAll(async () => {
    owner = await ownerOnBoth(S, D, plcUrl);
    member = await approvedUser(S);
    community = await ok(call(S.url, `${NS}.create`, { token: owner.onS, body: { handle: uniq("club"), didMethod: "plc", displayName: "Club" } }));
    await ok(call(S.url, `${NS}.join`, { token: member.accessJwt, body: { did: community.did } }));
    for (let i = 0; i < 3; i++) {
      await ok(call(S.url, "com.atproto.repo.createRecord", { token: owner.onS, body: { repo: community.did, collection: "app.example.note", rkey: `n${i}`, record: { text: `hi ${i}` } } }));
    }
    const car = new Uint8Array(await (await fetch(`${S.url}/xrpc/com.atproto.sync.getRepo?did=${community.did}`)).arrayBuffer());
    const v = await verifyRepoCar(car, community.did, (await plcData(community.did)).verificationMethods.atproto);
    sRecords = new Map(v.creates.map((c) => [`${c.collection}/${c.rkey}`, c.cid.toString()]));
  }, 60_000);

  test("prepareImport on D: 400 when sourcePds is not the DID's endpoint, 409 HandleTaken, then a ticket", async () => {
    const wrong = await call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did: community.did, handle: dName, sourcePds: dURL() } });
    expect(wrong.status).toBe(400);
    const takenName = uniq("taken");
    await register(D, takenName);
    const taken = await call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did: community.did, handle: takenName, sourcePds: sURL() } });
    expect([taken.status, taken.body.error]).toEqual([409, "HandleTaken"]);
    prepared = await ok(call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did: community.did, handle: dName, sourcePds: sURL() } }));
    expect(prepared.handle).toBe(`${dName}.test`);
    const ticket = JSON.parse(Buffer.from(prepared.importTicket, "base64url").toString());
    expect(ticket).toMatchObject({ v: 1, importId: prepared.importId, endpoint: dURL(), handle: `${dName}.test` });
    expect(ticket.signingKey).toStartWith("did:key:");
    const again = await call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did: community.did, handle: uniq("x"), sourcePds: sURL() } });
    expect([again.status, again.body.error]).toEqual([409, "DidTaken"]);
    // an importing community is invisible on D
    expect((await call(D.url, `${NS}.get`, { params: { did: community.did } })).status).toBe(404);
  });

  test("transfer on S: garbage/expired ticket → 400, wrong password → 401, non-owner → 403, then the package", async () => {
    const garbage = await call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did: community.did, password: PASSWORD, importTicket: "garbage!" } });
    expect(garbage.status).toBe(400);
    const t = JSON.parse(Buffer.from(prepared.importTicket, "base64url").toString());
    const expired = Buffer.from(JSON.stringify({ ...t, expiresAt: new Date(Date.now() - 1000).toISOString() })).toString("base64url");
    expect((await call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did: community.did, password: PASSWORD, importTicket: expired } })).status).toBe(400);
    const wrongPw = await call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did: community.did, password: "Wrong-password-1", importTicket: prepared.importTicket } });
    expect(wrongPw.status).toBe(401);
    const notOwner = await call(S.url, `${NS}.transfer`, { token: member.accessJwt, body: { did: community.did, password: PASSWORD, importTicket: prepared.importTicket } });
    expect([notOwner.status, notOwner.body.error]).toEqual([403, "Forbidden"]);

    const head = await ok(call(S.url, "com.atproto.sync.getLatestCommit", { params: { did: community.did } }));
    pkg = await ok(call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did: community.did, password: PASSWORD, importTicket: prepared.importTicket } }));
    expect(pkg).toMatchObject({ didMethod: "plc", destination: dURL(), rootCid: head.cid, rev: head.rev });
    expect(pkg.transferToken).toMatch(/^[0-9a-f]{64}$/);
    const before = await plcData(community.did);
    expect(pkg.plcOperation).toMatchObject({
      type: "plc_operation",
      rotationKeys: [before.rotationKeys[0], t.recoveryKey],
      verificationMethods: { atproto: t.signingKey },
      alsoKnownAs: [`at://${dName}.test`],
      services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: dURL() } },
    });
    // not submitted by S
    expect((await plcData(community.did)).services.atproto_pds.endpoint).toBe(sURL());
    // stored as a hash only
    expect((await S.sql("SELECT token_hash FROM community_transfers WHERE id = ?", pkg.transferId))[0].token_hash).not.toBe(pkg.transferToken);
  });

  test("writes on S while the transfer is pending → 409 TransferPending; a second transfer too", async () => {
    const w = await call(S.url, "com.atproto.repo.createRecord", { token: owner.onS, body: { repo: community.did, collection: "app.example.note", rkey: "late", record: { text: "late" } } });
    expect([w.status, w.body.error]).toEqual([409, "TransferPending"]);
    const u = await call(S.url, `${NS}.update`, { token: owner.onS, body: { did: community.did, displayName: "Renamed" } });
    expect([u.status, u.body.error]).toEqual([409, "TransferPending"]);
    const again = await call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did: community.did, password: PASSWORD, importTicket: prepared.importTicket } });
    expect([again.status, again.body.error]).toEqual([409, "TransferPending"]);
  });

  test("verifyTransfer: the token holder sees the package; a wrong token → 404 TransferNotFound", async () => {
    const v = await ok(call(S.url, `${NS}.verifyTransfer`, { body: { did: community.did, transferToken: pkg.transferToken } }));
    expect(v).toMatchObject({ valid: true, did: community.did, transferId: pkg.transferId, destination: dURL(), rootCid: pkg.rootCid });
    const bad = await call(S.url, `${NS}.verifyTransfer`, { body: { did: community.did, transferToken: "0".repeat(64) } });
    expect([bad.status, bad.body.error]).toEqual([404, "TransferNotFound"]);
    const carBad = await call(S.url, `${NS}.getTransferRepo`, { body: { did: community.did, transferToken: "x" } });
    expect([carBad.status, carBad.body.error]).toEqual([404, "TransferNotFound"]);
  });

  test("completeImport on D with a wrong token → 404 TransferNotFound; by someone else → 404", async () => {
    const wrong = await call(D.url, `${NS}.completeImport`, { token: owner.onD, body: { importId: prepared.importId, transferToken: "1".repeat(64) } });
    expect([wrong.status, wrong.body.error]).toEqual([404, "TransferNotFound"]);
    const other = await approvedUser(D);
    const notMine = await call(D.url, `${NS}.completeImport`, { token: other.accessJwt, body: { importId: prepared.importId, transferToken: pkg.transferToken } });
    expect([notMine.status, notMine.body.error]).toEqual([404, "NotFound"]);
  });

  test("completeImport on D: same records and members, head signed by D's key, DID points to D", async () => {
    const done = await ok(call(D.url, `${NS}.completeImport`, { token: owner.onD, body: { importId: prepared.importId, transferToken: pkg.transferToken } }));
    expect(done).toMatchObject({ did: community.did, handle: `${dName}.test`, status: "active" });
    const data = await plcData(community.did);
    const ticket = JSON.parse(Buffer.from(prepared.importTicket, "base64url").toString());
    expect(data.services.atproto_pds.endpoint).toBe(dURL());
    expect(data.verificationMethods.atproto).toBe(ticket.signingKey);
    expect(data.alsoKnownAs).toEqual([`at://${dName}.test`]);
    const car = new Uint8Array(await (await fetch(`${D.url}/xrpc/com.atproto.sync.getRepo?did=${community.did}`)).arrayBuffer());
    const v = await verifyRepoCar(car, community.did, ticket.signingKey);
    expect(new Map(v.creates.map((c) => [`${c.collection}/${c.rkey}`, c.cid.toString()]))).toEqual(sRecords);
    const got = await ok(call(D.url, `${NS}.get`, { token: owner.onD, params: { did: community.did } }));
    expect(got).toMatchObject({ did: community.did, handle: `${dName}.test`, displayName: "Club" });
    const members = await D.sql<{ member_did: string; role_rkey: string }>("SELECT member_did, role_rkey FROM community_members WHERE community_did = ? ORDER BY role_rkey", community.did);
    expect(members).toEqual([{ member_did: member.did, role_rkey: "member" }, { member_did: owner.did, role_rkey: "owner" }]);
    expect((await D.sql("SELECT type FROM repo_events WHERE did = ? ORDER BY seq", community.did)).map((r: any) => r.type)).toEqual(["#account", "#identity", "#sync"]);
    // the owner can write on D
    await ok(call(D.url, "com.atproto.repo.createRecord", { token: owner.onD, body: { repo: community.did, collection: "app.example.note", rkey: "after", record: { text: "on D" } } }));
    expect((await D.sql("SELECT action FROM audit_log WHERE target_did = ? AND action LIKE 'community.import%' ORDER BY rowid", community.did)).map((r: any) => r.action))
      .toEqual(["community.import.prepare", "community.import"]);
  });

  test("S: migrated, reads as deactivated, writes refused, tokens unusable", async () => {
    await waitFor(async () => (await S.sql("SELECT status FROM communities WHERE did = ?", community.did))[0]?.status === "migrated", 10_000, "confirmTransfer");
    const row = (await S.sql("SELECT status, migrated_to, pending_transfer_id FROM communities WHERE did = ?", community.did))[0];
    expect(row).toEqual({ status: "migrated", migrated_to: dURL(), pending_transfer_id: null });
    const st = await ok(call(S.url, "com.atproto.sync.getRepoStatus", { params: { did: community.did } }));
    expect(st).toMatchObject({ active: false, status: "deactivated" });
    const w = await call(S.url, "com.atproto.repo.createRecord", { token: owner.onS, body: { repo: community.did, collection: "app.example.note", rkey: "x", record: { text: "x" } } });
    expect(w.status).toBe(400);
    for (const m of ["verifyTransfer", "getTransferRepo", "confirmTransfer"]) {
      const r = await call(S.url, `${NS}.${m}`, { body: { did: community.did, transferToken: pkg.transferToken } });
      expect([m, r.status, r.body.error]).toEqual([m, 404, "TransferNotFound"]);
    }
    expect((await S.sql("SELECT action FROM audit_log WHERE target_did = ? AND action LIKE 'community.transfer%' ORDER BY rowid", community.did)).map((r: any) => r.action))
      .toEqual(["community.transfer.initiate", "community.transfer.complete"]);
    // completeImport cannot be replayed
    const replay = await call(D.url, `${NS}.completeImport`, { token: owner.onD, body: { importId: prepared.importId, transferToken: pkg.transferToken } });
    expect(replay.status).toBe(404);
  });
});

describe("cancel and limits", () => {
  test("cancelTransfer lifts the freeze and voids the token; downloads are capped at 5", async () => {
    const owner = await ownerOnBoth(S, D, plcUrl);
    const c = await ok(call(S.url, `${NS}.create`, { token: owner.onS, body: { handle: uniq("club"), didMethod: "plc" } }));
    const prep = await ok(call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did: c.did, handle: uniq("m"), sourcePds: sURL() } }));
    const p = await ok(call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did: c.did, password: PASSWORD, importTicket: prep.importTicket } }));
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${S.url}/xrpc/${NS}.getTransferRepo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ did: c.did, transferToken: p.transferToken }) });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("application/vnd.ipld.car");
      await r.arrayBuffer();
    }
    const sixth = await call(S.url, `${NS}.getTransferRepo`, { body: { did: c.did, transferToken: p.transferToken } });
    expect([sixth.status, sixth.body.error]).toEqual([404, "TransferNotFound"]);
    // completeImport now fails at the download step (the source refuses)
    const blocked = await call(D.url, `${NS}.completeImport`, { token: owner.onD, body: { importId: prep.importId, transferToken: p.transferToken } });
    expect([blocked.status, blocked.body.error]).toEqual([404, "TransferNotFound"]);

    const member = await approvedUser(S);
    const nc = await call(S.url, `${NS}.cancelTransfer`, { token: member.accessJwt, body: { did: c.did } });
    expect(nc.status).toBe(403);
    await ok(call(S.url, `${NS}.cancelTransfer`, { token: owner.onS, body: { did: c.did } }));
    const twice = await call(S.url, `${NS}.cancelTransfer`, { token: owner.onS, body: { did: c.did } });
    expect([twice.status, twice.body.error]).toEqual([404, "TransferNotFound"]);
    expect((await call(S.url, `${NS}.verifyTransfer`, { body: { did: c.did, transferToken: p.transferToken } })).status).toBe(404);
    await ok(call(S.url, "com.atproto.repo.createRecord", { token: owner.onS, body: { repo: c.did, collection: "app.example.note", rkey: "ok", record: { text: "writable again" } } }));
    // the DID still points to S
    expect((await plcData(c.did)).services.atproto_pds.endpoint).toBe(sURL());
  }, 60_000);
});
