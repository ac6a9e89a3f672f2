// Lone UTF-16 surrogates in JSON bodies (as \u escapes, in values or keys) → 400 InvalidRequest, nothing written.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { rk } from "../_support/rkey.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
let pds: RunningPds;
let did: string;
let token: string;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS_ENABLED: "false" });
  const admin = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }))).accessJwt;
  const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const password = "Pw-dave-2026-long";
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: "dave", email: "dave@example.org", password, inviteCode: invite.code } }));
  await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  did = reg.did;
  token = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "dave", password } }))).accessJwt;
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

const head = async () => (await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did } }))) as { cid: string; rev: string };
// the raw body text: `text` is spliced in as-is, so "\\ud800" reaches the server as the six characters \ud800
const rawPut = (rkey: string, text: string, extra = "") =>
  fetch(`${pds.url}/xrpc/com.atproto.repo.putRecord`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: `{"repo":"${did}","collection":"app.bsky.feed.post","rkey":"${rk(rkey)}","record":{"$type":"app.bsky.feed.post","text":"${text}","createdAt":"2026-01-01T00:00:00.000Z"${extra}}}`,
  });

for (const [name, text, extra] of [
  ["lone high surrogate in a value", "a\\ud800b", ""],
  ["lone low surrogate in a value", "\\udc00", ""],
  ["reversed pair in a value", "\\ude00\\ud83d", ""],
  ["lone surrogate in a key", "ok", ',"k\\ud800":"v"'],
] as const) {
  test(`${name} → 400 InvalidRequest, nothing written`, async () => {
    const before = await head();
    const res = await rawPut("s1", text, extra);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("InvalidRequest");
    expect(await head()).toEqual(before);
    const get = await xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.bsky.feed.post", rkey: rk("s1") } });
    expect({ status: get.status, error: get.body?.error }).toEqual({ status: 400, error: "RecordNotFound" });
  });
}

test("a well-formed surrogate pair is accepted and stored as the character", async () => {
  const res = await rawPut("s2", "smile \\ud83d\\ude00");
  expect(res.status).toBe(200);
  const got = await ok(xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.bsky.feed.post", rkey: rk("s2") } }));
  expect(got.value.text).toBe("smile \u{1F600}");
});
