// Governance test support (spec 05 §4-§7): a community with an owner, two moderators (voters) and a plain member on a
// real server, the XRPC helpers bound to it, and the snapshot a refused call must leave unchanged.
import { expect } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { xrpc, ok, type XrpcReply } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup, type User } from "./moderation-setup.ts";

export { NS, type User };
export const SETTINGS = `${NS}.settings`;
export const PROFILE = `${NS}.profile`;
export const PROPOSAL = `${NS}.proposal`;

export interface Gov {
  s: Setup;
  post(u: User | undefined, method: string, body: Record<string, unknown>, c?: string): Promise<XrpcReply>;
  get(u: User | undefined, method: string, params: Record<string, string>, c?: string): Promise<XrpcReply>;
  /** a community owned by `owner` with `moderators` holding the moderator role and `members` plain members */
  community(owner: User, name: string, moderators: User[], members?: User[]): Promise<string>;
  record(c: string, collection: string, rkey: string): Promise<{ cid: string; value: any } | undefined>;
  snapshot(c: string): Promise<unknown>;
  refused(c: string, call: () => Promise<XrpcReply>, status: number, error: string, message?: string): Promise<XrpcReply>;
  /** commit events of `c` after `seq`, decoded: {rev, paths} */
  commitsAfter(c: string, seq: number): Promise<Array<{ rev: string; paths: string[] }>>;
  headSeq(): Promise<number>;
  /** new sessions (after advanceClock expired the access tokens) */
  relogin(...users: User[]): Promise<void>;
}

export async function govSetup(): Promise<Gov> {
  const s = await setup();
  const post = (u: User | undefined, method: string, body: Record<string, unknown>, c?: string) =>
    xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), body: { ...(c ? { communityDid: c } : {}), ...body } });
  const get = (u: User | undefined, method: string, params: Record<string, string>, c?: string) =>
    xrpc(s.pds.url, `${NS}.${method}`, { ...(u ? { token: u.token } : {}), params: { ...(c ? { communityDid: c } : {}), ...params } });
  const record = async (c: string, collection: string, rkey: string) => {
    const r = (await s.db.query("SELECT cid, value FROM records WHERE did = ? AND collection = ? AND rkey = ?").get(c, collection, rkey)) as { cid: string; value: string } | null;
    return r ? { cid: r.cid, value: JSON.parse(r.value) } : undefined;
  };
  const snapshot = async (c: string) => ({
    head: await s.db.query("SELECT commit_cid, rev FROM repo_roots WHERE did = ?").get(c),
    records: await s.db.query("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey").all(c),
    proposals: await s.db.query("SELECT rkey, status, expires_at FROM community_proposals WHERE community_did = ? ORDER BY rkey").all(c),
    community: await s.db.query("SELECT governance_model, visibility, join_policy, display_name FROM communities WHERE did = ?").get(c),
    audit: await s.count("SELECT count(*) AS n FROM audit_log"),
  });
  return {
    s, post, get, record, snapshot,
    async community(owner, name, moderators, members = []) {
      const c = await s.community(owner, name);
      for (const u of [...moderators, ...members]) await s.join(u, c);
      for (const m of moderators) await ok(post(owner, "updateMemberRole", { memberDid: m.did, roleRkey: "moderator" }, c));
      return c;
    },
    async refused(c, call, status, error, message) {
      const before = await snapshot(c);
      const r = await call();
      expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });
      if (message) expect(r.body.message).toContain(message);
      expect(await snapshot(c)).toEqual(before);
      return r;
    },
    async commitsAfter(c, seq) {
      return ((await s.db.query("SELECT body FROM repo_events WHERE did = ? AND seq > ? AND type = '#commit' ORDER BY seq").all(c, seq)) as Array<{ body: Uint8Array }>).map((row) => {
        const ev = dagCbor.decode(new Uint8Array(row.body)) as { rev: string; ops: Array<{ path: string }> };
        return { rev: ev.rev, paths: ev.ops.map((o) => o.path).sort() };
      });
    },
    async relogin(...users) {
      for (const u of users) u.token = (await ok(xrpc(s.pds.url, "com.atproto.server.createSession", { body: { identifier: u.handle, password: u.password } }))).accessJwt;
    },
    headSeq: async () => ((await s.db.query("SELECT coalesce(max(seq), 0) AS n FROM repo_events").get()) as { n: number }).n,
  };
}
