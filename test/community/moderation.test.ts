// Community moderation (04 §6, §3, 06 §2, 03 §7/§9) against a real server: suspend, unsuspend, takedown, untakedown.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { xrpc } from "../e2e/_xrpc.ts";
import { NS, eventsAfter, headSeq, setup, type Setup, type User } from "./moderation-setup.ts";

let t: Setup;
let owner: User;
let outsider: User;
let member: User;
beforeAll(async () => {
  t = await setup();
  owner = await t.register("mona");
  outsider = await t.register("otto");
  member = await t.register("mick");
});
afterAll(() => t?.stop());

const call = (nsid: string, token: string | undefined, body: Record<string, unknown>) => xrpc(t.pds.url, `${NS}.${nsid}`, { ...(token ? { token } : {}), body });
const headRev = async (did: string) => ((await t.db.query("SELECT rev FROM repo_roots WHERE did = ?").get(did)) as { rev: string }).rev;
const audits = async (action: string, did: string) => await t.count("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_did = ?", action, did);

describe("suspend / unsuspend", () => {
  let did: string;
  beforeAll(async () => {
    did = await t.community(owner, "quiet");
    await t.join(member, did);
  });

  test("non-admin → 403, nothing written", async () => {
    for (const nsid of ["suspend", "unsuspend", "takedown", "untakedown"]) {
      const r = await call(nsid, owner.token, { did });
      expect(r.status).toBe(403);
    }
    expect((await t.row(did)).status).toBe("active");
    expect(await audits("community.suspend", did)).toBe(0);
  });

  test("unknown community → 404; unsuspend of an active one → 400 NotSuspended", async () => {
    expect((await call("suspend", t.admin.token, { did: "did:plc:nonexistent000000000000" })).status).toBe(404);
    const r = await call("unsuspend", t.admin.token, { did });
    expect([r.status, r.body.error]).toEqual([400, "NotSuspended"]);
  });

  test("suspend → suspended, suspendedAt set, no wire event, audit", async () => {
    const seq = await headSeq(t.db);
    const r = await call("suspend", t.admin.token, { did, reason: "spam" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ did, status: "suspended", reason: "spam" });
    expect(await t.row(did)).toMatchObject({ status: "suspended", previous_status: "active", status_reason: "spam" });
    expect((await t.row(did)).suspended_at).toBeString();
    expect(await eventsAfter(t.db, did, seq)).toEqual([]);
    expect(await audits("community.suspend", did)).toBe(1);
    const again = await call("suspend", t.admin.token, { did });
    expect([again.status, again.body.error]).toEqual([400, "AlreadySuspended"]);
  });

  test("suspended: update and join → 403 CommunitySuspended; get, export, leave succeed", async () => {
    const up = await call("update", owner.token, { did, displayName: "x" });
    expect([up.status, up.body.error]).toEqual([403, "CommunitySuspended"]);
    const j = await call("join", outsider.token, { did });
    expect([j.status, j.body.error]).toEqual([403, "CommunitySuspended"]);
    const get = await xrpc(t.pds.url, `${NS}.get`, { params: { did } });
    expect([get.status, get.body.status]).toEqual([200, "suspended"]);
    expect((await xrpc(t.pds.url, `${NS}.export`, { token: owner.token, params: { did } })).status).toBe(200);
    const members = await xrpc(t.pds.url, `${NS}.listMembers`, { token: owner.token, params: { did } });
    expect(members.status).toBe(200);
    const leave = await call("leave", member.token, { did });
    expect(leave.status).toBe(200);
    // repo reads are served (read-only freeze)
    expect((await fetch(`${t.pds.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).status).toBe(200);
  });

  test("unsuspend → active, suspendedAt cleared, audit", async () => {
    const r = await call("unsuspend", t.admin.token, { did });
    expect(r.body).toEqual({ did, status: "active" });
    expect(await t.row(did)).toMatchObject({ status: "active", suspended_at: null });
    expect(await audits("community.unsuspend", did)).toBe(1);
  });
});

describe("takedown / untakedown", () => {
  let did: string;
  beforeAll(async () => {
    did = await t.community(owner, "loud");
  });

  test("without an owner export after the latest commit → 409 ExportRequired, nothing changes", async () => {
    const seq = await headSeq(t.db);
    const r = await call("takedown", t.admin.token, { did, reason: "abuse" });
    expect([r.status, r.body.error]).toEqual([409, "ExportRequired"]);
    expect((await t.row(did)).status).toBe("active");
    expect(await eventsAfter(t.db, did, seq)).toEqual([]);
    expect(await audits("community.takedown", did)).toBe(0);
  });

  test("an admin export does not count", async () => {
    expect((await xrpc(t.pds.url, `${NS}.export`, { token: t.admin.token, params: { did } })).status).toBe(200);
    expect((await t.row(did)).owner_exported_at).toBeNull();
    expect((await call("takedown", t.admin.token, { did })).status).toBe(409);
  });

  test("a commit right after the owner export (no pause: the rule compares revs, not milliseconds) makes it stale again", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await xrpc(t.pds.url, `${NS}.export`, { token: owner.token, params: { did } })).status).toBe(200);
      expect((await t.row(did)).owner_exported_rev).toBe(await headRev(did));
      expect((await call("update", owner.token, { did, description: `newer ${i}` })).status).toBe(200);
      expect((await t.row(did)).owner_exported_rev < await headRev(did)).toBe(true);
      const r = await call("takedown", t.admin.token, { did });
      expect([r.status, r.body.error]).toEqual([409, "ExportRequired"]);
    }
    expect((await t.row(did)).status).toBe("active");
  });

  test("owner export then takedown → 200, #account takendown, audit with previousStatus", async () => {
    expect((await xrpc(t.pds.url, `${NS}.export`, { token: owner.token, params: { did } })).status).toBe(200);
    const seq = await headSeq(t.db);
    const r = await call("takedown", t.admin.token, { did, reason: "abuse" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ did, status: "takendown", reason: "abuse" });
    expect(await t.row(did)).toMatchObject({ status: "takendown", previous_status: "active" });
    expect(await eventsAfter(t.db, did, seq)).toEqual(["#account"]);
    const meta = JSON.parse(((await t.db.query("SELECT meta FROM audit_log WHERE action = 'community.takedown' AND target_did = ?").get(did)) as any).meta);
    expect(meta).toMatchObject({ reason: "abuse", previousStatus: "active" });
    expect(meta.ownerExportedAt).toBeString();
    const again = await call("takedown", t.admin.token, { did });
    expect([again.status, again.body.error]).toEqual([400, "AlreadyTakenDown"]);
    const sus = await call("suspend", t.admin.token, { did });
    expect([sus.status, sus.body.error]).toEqual([400, "AlreadyTakenDown"]);
  });

  test("takendown: anonymous get → 410, owner get and export work, repo reads → RepoTakendown", async () => {
    const anon = await xrpc(t.pds.url, `${NS}.get`, { params: { did } });
    expect([anon.status, anon.body.error]).toEqual([410, "CommunityTakenDown"]);
    expect((await xrpc(t.pds.url, `${NS}.get`, { token: owner.token, params: { did } })).status).toBe(200);
    const exp = await xrpc(t.pds.url, `${NS}.export`, { token: owner.token, params: { did } });
    expect([exp.status, exp.body.community.status]).toEqual([200, "takendown"]);
    const repo = await xrpc(t.pds.url, "com.atproto.sync.getRepo", { params: { did } });
    expect([repo.status, repo.body.error]).toEqual([400, "RepoTakendown"]);
    const rec = await xrpc(t.pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: `${NS}.profile`, rkey: "self" } });
    expect(rec.body.error).toBe("RepoTakendown");
    const up = await call("update", owner.token, { did, description: "x" });
    expect([up.status, up.body.error]).toEqual([410, "CommunityTakenDown"]);
  });

  test("untakedown restores active and emits #account, #identity, #sync", async () => {
    const seq = await headSeq(t.db);
    const r = await call("untakedown", t.admin.token, { did });
    expect(r.body).toEqual({ did, status: "active" });
    expect(await eventsAfter(t.db, did, seq)).toEqual(["#account", "#identity", "#sync"]);
    expect(await audits("community.untakedown", did)).toBe(1);
    const again = await call("untakedown", t.admin.token, { did });
    expect([again.status, again.body.error]).toEqual([400, "NotTakenDown"]);
    expect((await xrpc(t.pds.url, `${NS}.get`, { params: { did } })).status).toBe(200);
  });

  test("suspended → takedown → untakedown restores suspended", async () => {
    expect((await xrpc(t.pds.url, `${NS}.export`, { token: owner.token, params: { did } })).status).toBe(200);
    expect((await call("suspend", t.admin.token, { did })).status).toBe(200);
    const suspendedAt = (await t.row(did)).suspended_at;
    const td = await call("takedown", t.admin.token, { did });
    expect(td.status).toBe(200);
    expect(await t.row(did)).toMatchObject({ previous_status: "suspended", suspended_at: suspendedAt });
    const r = await call("untakedown", t.admin.token, { did });
    expect(r.body).toEqual({ did, status: "suspended" });
    expect(await t.row(did)).toMatchObject({ status: "suspended", suspended_at: suspendedAt });
  });
});
