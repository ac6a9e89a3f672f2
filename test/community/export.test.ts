// community.export (04 §4, 06 §2) against a real server: JSON shape, CAR verification, who may export, ownerExportedAt.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import { plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup, type User } from "./moderation-setup.ts";

let t: Setup;
let owner: User;
let member: User;
let did: string;
beforeAll(async () => {
  t = await setup();
  owner = await t.register("edna");
  member = await t.register("emil");
  did = await t.community(owner, "archive");
  await t.join(member, did);
});
afterAll(() => t?.stop());

const exp = (token: string | undefined, params: Record<string, string> = {}) =>
  xrpc(t.pds.url, `${NS}.export`, { ...(token ? { token } : {}), params: { did, ...params } });
const audits = () => t.count("SELECT count(*) AS n FROM audit_log WHERE action = 'community.export' AND target_did = ?", did);

describe("who may export", () => {
  test.each([
    ["anonymous → 401", (): string | undefined => undefined, 401],
    ["a member → 403", (): string | undefined => member.token, 403],
  ] as const)("%s, nothing recorded", async (_n, token, status) => {
    const before = await audits();
    expect((await exp(token())).status).toBe(status);
    expect(await audits()).toBe(before);
    expect((await t.row(did)).owner_exported_at).toBeNull();
  });
  test("unknown community → 404; bad format → 400", async () => {
    expect((await exp(owner.token, { did: "nosuchcommunity" })).status).toBe(404);
    expect((await exp(owner.token, { format: "zip" })).status).toBe(400);
  });
});

describe("JSON", () => {
  let body: any;
  beforeAll(async () => {
    const r = await exp(owner.token);
    expect(r.status).toBe(200);
    body = r.body;
  });
  test("shape", () => {
    expect(body.$type).toBe("net.openfederation.community.export");
    expect(body.exportedBy).toBe(owner.did);
    expect(body.community).toMatchObject({ did, handle: "archive.test", didMethod: "plc", status: "active", visibility: "public", ownerDid: owner.did });
    expect(body.stats).toEqual({ totalRecords: 7, memberCount: 2, collections: 4 });
    expect(Object.keys(body.collections).sort()).toEqual([`${NS}.member`, `${NS}.profile`, `${NS}.role`, `${NS}.settings`]);
    expect(body.collections[`${NS}.member`].map((r: any) => r.rkey).sort()).toEqual([owner.did, member.did].sort());
    const first = body.collections[`${NS}.settings`][0];
    expect(first.rkey).toBe("self");
    expect(first.cid).toStartWith("bafyrei");
    expect(first.record.$type).toBe(`${NS}.settings`);
    expect(body.blobs).toEqual([]);
  });
  test("an owner export sets ownerExportedAt and audits byOwner", async () => {
    expect((await t.row(did)).owner_exported_at).toBe(body.exportedAt);
    const meta = JSON.parse(((await t.db.query("SELECT meta FROM audit_log WHERE action = 'community.export' AND target_did = ? ORDER BY id DESC").get(did)) as any).meta);
    expect(meta).toEqual({ format: "json", recordCount: 7, byOwner: true });
  });
  test("an admin export does not move ownerExportedAt", async () => {
    const before = (await t.row(did)).owner_exported_at;
    const r = await exp(t.admin.token);
    expect([r.status, r.body.exportedBy]).toEqual([200, t.admin.did]);
    expect((await t.row(did)).owner_exported_at).toBe(before);
  });
});

describe("CAR", () => {
  test("the full repo CAR verifies against the PLC key and holds every record", async () => {
    const res = await fetch(`${t.pds.url}/xrpc/${NS}.export?did=${did}&format=car`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/vnd.ipld.car");
    const verified = await verifyRepoCar(new Uint8Array(await res.arrayBuffer()), did, await plcSigningKey(t.pds.plcUrl, did));
    expect(verified.creates.length).toBe(7);
    const meta = JSON.parse(((await t.db.query("SELECT meta FROM audit_log WHERE action = 'community.export' AND target_did = ? ORDER BY id DESC").get(did)) as any).meta);
    expect(meta).toEqual({ format: "car", recordCount: 7, byOwner: true });
  });
});
