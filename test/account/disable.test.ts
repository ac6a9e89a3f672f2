// net.openfederation.account.disable / enable (T12/T13, 06 §1) on a real server: sessions, events, repo status, refusals.
import { afterAll, beforeAll, expect, test } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { approvedUser, call, ok, PASSWORD, startEnv, type Env } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(() => e?.stop());

const DISABLE = "net.openfederation.account.disable";
const ENABLE = "net.openfederation.account.enable";
const lastSeq = async () => (await e.sql<{ s: number }>("SELECT COALESCE(MAX(seq), 0) AS s FROM repo_events"))[0]!.s;
const eventsAfter = async (seq: number, did: string) =>
  (await e.sql<{ type: string; body: Uint8Array }>("SELECT type, body FROM repo_events WHERE seq > ? AND did = ? ORDER BY seq", seq, did)).map((r) => ({ type: r.type, body: dagCbor.decode(r.body) as Record<string, unknown> }));
const statusOf = async (did: string) => (await e.sql<{ status: string; reason: string | null }>("SELECT status, status_reason AS reason FROM accounts WHERE did = ?", did))[0]!;
const login = (identifier: string, extra: Record<string, unknown> = {}) => call(e.url, "com.atproto.server.createSession", { body: { identifier, password: PASSWORD, ...extra } });

test("disable: sessions revoked, login refused, repo inactive on the firehose and getRepoStatus; enable restores and announces", async () => {
  const u = await approvedUser(e);
  const seq = await lastSeq();
  expect(await ok(call(e.url, DISABLE, { token: e.admin.accessJwt, body: { did: u.did, reason: "abandoned" } }))).toEqual({ did: u.did, status: "disabled" });
  expect(await statusOf(u.did)).toEqual({ status: "disabled", reason: "abandoned" });
  const old = await call(e.url, "com.atproto.server.getSession", { token: u.accessJwt });
  expect([old.status, old.body.error]).toEqual([401, "InvalidToken"]);
  const refused = await login(u.name);
  expect([refused.status, refused.body.error]).toEqual([403, "AccountDisabled"]);
  // a restricted session still lets the holder export (free to go)
  expect((await login(u.name, { allowTakendown: true })).status).toBe(200);
  expect(await ok(call(e.url, "com.atproto.sync.getRepoStatus", { params: { did: u.did } }))).toEqual({ did: u.did, active: false, status: "deactivated" });
  expect((await eventsAfter(seq, u.did)).map((x) => [x.type, x.body.active, x.body.status])).toEqual([["#account", false, "deactivated"]]);
  const audit = await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = 'account.disable' AND target_did = ?", u.did);
  expect(audit.map((a) => JSON.parse(a.meta))).toEqual([{ previousStatus: "approved", reason: "abandoned" }]);

  const seq2 = await lastSeq();
  expect(await ok(call(e.url, ENABLE, { token: e.admin.accessJwt, body: { did: u.did } }))).toEqual({ did: u.did, status: "approved" });
  expect(await statusOf(u.did)).toEqual({ status: "approved", reason: null });
  expect((await login(u.name)).status).toBe(200);
  expect((await eventsAfter(seq2, u.did)).map((x) => x.type)).toEqual(["#account", "#identity", "#sync"]);
  expect((await ok(call(e.url, "com.atproto.sync.getRepoStatus", { params: { did: u.did } }))).active).toBe(true);
});

test("refusals: exact error, nothing written", async () => {
  const u = await approvedUser(e);
  const mod = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
  const modSession = await ok(login(mod.name));
  const before = async () => ({ seq: await lastSeq(), audit: (await e.sql<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action IN ('account.disable','account.enable')"))[0]!.n, u: (await statusOf(u.did)).status });
  const snapshot = await before();
  const cases: Array<[string, string, string, Record<string, unknown>, number, string]> = [
    ["a moderator", modSession.accessJwt, DISABLE, { did: u.did }, 403, "Forbidden"],
    ["the target itself", u.accessJwt, DISABLE, { did: u.did }, 403, "Forbidden"],
    ["an admin target", e.admin.accessJwt, DISABLE, { did: e.admin.did }, 403, "Forbidden"],
    ["an unknown DID", e.admin.accessJwt, DISABLE, { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa" }, 404, "NotFound"],
    ["enable an approved account", e.admin.accessJwt, ENABLE, { did: u.did }, 400, "InvalidStatus"],
    ["no did", e.admin.accessJwt, DISABLE, {}, 400, "InvalidRequest"],
  ];
  for (const [what, token, nsid, body, status, error] of cases) {
    const r = await call(e.url, nsid, { token, body });
    expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
  }
  expect(await before()).toEqual(snapshot);
  // disabling twice: the second is InvalidStatus and adds nothing
  await ok(call(e.url, DISABLE, { token: e.admin.accessJwt, body: { did: u.did } }));
  const afterFirst = await before();
  const again = await call(e.url, DISABLE, { token: e.admin.accessJwt, body: { did: u.did } });
  expect([again.status, again.body.error]).toEqual([400, "InvalidStatus"]);
  expect(await before()).toEqual(afterFirst);
});
