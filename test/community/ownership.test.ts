// transferOwnership within this server (04 §7) against a real server: password, membership, one commit, PLC update.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as dagCbor from "@ipld/dag-cbor";
import { plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup, type User } from "./moderation-setup.ts";

let t: Setup;
let owner: User;
let heir: User;
let stranger: User;
let did: string;
beforeAll(async () => {
  t = await setup();
  owner = await t.register("olga");
  heir = await t.register("hugo");
  stranger = await t.register("sven");
  did = await t.community(owner, "estate");
  await t.join(heir, did);
});
afterAll(() => t?.stop());

const transfer = (token: string, body: Record<string, unknown>) => xrpc(t.pds.url, `${NS}.transferOwnership`, { token, body: { did, ...body } });
const role = async (member: string) => ((await t.db.query("SELECT role_rkey FROM community_members WHERE community_did = ? AND member_did = ?").get(did, member)) as any)?.role_rkey;
const commits = () => t.count("SELECT count(*) AS n FROM repo_events WHERE did = ? AND type = '#commit'", did);

describe("refusals: exact error, nothing written", () => {
  test.each([
    ["wrong password → 401", () => ({ token: owner.token, body: { newOwnerDid: heir.did, password: "wrong-password-1" } }), 401, "Unauthorized"],
    ["no password → 401", () => ({ token: owner.token, body: { newOwnerDid: heir.did } }), 401, "Unauthorized"],
    ["non-member → 404 NotMember", () => ({ token: owner.token, body: { newOwnerDid: stranger.did, password: owner.password } }), 404, "NotMember"],
    ["previousOwnerRole owner → 400", () => ({ token: owner.token, body: { newOwnerDid: heir.did, password: owner.password, previousOwnerRole: "owner" } }), 400, "InvalidRequest"],
    ["unknown role → 400", () => ({ token: owner.token, body: { newOwnerDid: heir.did, password: owner.password, previousOwnerRole: "nope" } }), 400, "InvalidRequest"],
    ["same owner → 400", () => ({ token: owner.token, body: { newOwnerDid: owner.did, password: owner.password } }), 400, "InvalidRequest"],
    ["bad rotation key → 400", () => ({ token: owner.token, body: { newOwnerDid: heir.did, password: owner.password, newOwnerRotationKey: "did:key:zBad" } }), 400, "InvalidRequest"],
    ["member, not owner → 403", () => ({ token: heir.token, body: { newOwnerDid: heir.did, password: heir.password } }), 403, "Forbidden"],
    ["admin on a non-orphaned community → 403", () => ({ token: t.admin.token, body: { newOwnerDid: heir.did } }), 403, "Forbidden"],
  ] as const)("%s", async (_name, make, status, error) => {
    const before = await commits();
    const { token, body } = make();
    const r = await transfer(token, body);
    expect([r.status, r.body.error]).toEqual([status, error]);
    expect(await commits()).toBe(before);
    expect((await t.row(did)).owner_did).toBe(owner.did);
    expect(await role(heir.did)).toBe("member");
  });
});

describe("owner path with a new rotation key", () => {
  let out: any;
  let newKey: string;
  let beforeCommits: number;
  let opsBefore: number;
  beforeAll(async () => {
    newKey = (await Secp256k1Keypair.create()).did();
    beforeCommits = await commits();
    opsBefore = ((await (await fetch(`${t.pds.plcUrl}/${did}/log`)).json()) as unknown[]).length;
    const r = await transfer(owner.token, { newOwnerDid: heir.did, password: owner.password, newOwnerRotationKey: newKey });
    expect(r.status).toBe(200);
    out = r.body;
  });

  test("output and ownerDid", async () => {
    expect(out).toMatchObject({ did, ownerDid: heir.did, previousOwnerRole: "moderator", plcUpdated: true });
    expect(out.message).toContain("72 hours");
    expect((await t.row(did)).owner_did).toBe(heir.did);
    expect([await role(heir.did), await role(owner.did)]).toEqual(["owner", "moderator"]);
  });

  test("one commit with both member records; the repo verifies", async () => {
    expect(await commits()).toBe(beforeCommits + 1);
    const { body } = (await t.db.query("SELECT body FROM repo_events WHERE did = ? AND type = '#commit' ORDER BY seq DESC LIMIT 1").get(did)) as { body: Uint8Array };
    const ev = dagCbor.decode(new Uint8Array(body)) as { ops: { action: string; path: string }[] };
    expect(ev.ops.map((o) => `${o.action} ${o.path}`).sort()).toEqual([`update ${NS}.member/${heir.did}`, `update ${NS}.member/${owner.did}`].sort());
    const car = new Uint8Array(await (await fetch(`${t.pds.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
    const verified = await verifyRepoCar(car, did, await plcSigningKey(t.pds.plcUrl, did));
    expect(verified.creates.length).toBeGreaterThan(0);
    const rec = await xrpc(t.pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: `${NS}.member`, rkey: heir.did } });
    expect(rec.body.value.roleRkey).toBe("owner");
  });

  test("the PLC log gains one op whose rotationKeys[0] is the new key, the recovery key kept", async () => {
    const log = (await (await fetch(`${t.pds.plcUrl}/${did}/log`)).json()) as { rotationKeys: string[] }[];
    expect(log.length).toBe(opsBefore + 1);
    expect(log[log.length - 1]!.rotationKeys[0]).toBe(newKey);
    expect(log[log.length - 1]!.rotationKeys.slice(1)).toEqual(log[log.length - 2]!.rotationKeys.slice(1));
  });

  test("audit row", async () => {
    const meta = JSON.parse(((await t.db.query("SELECT meta FROM audit_log WHERE action = 'community.ownership.transfer' AND target_did = ?").get(did)) as any).meta);
    expect(meta).toEqual({ from: owner.did, to: heir.did, byAdmin: false, plcUpdated: true });
  });

  test("the previous owner is no longer owner: a second transfer by them → 403", async () => {
    const r = await transfer(owner.token, { newOwnerDid: owner.did, password: owner.password });
    expect(r.status).toBe(403);
  });
});
