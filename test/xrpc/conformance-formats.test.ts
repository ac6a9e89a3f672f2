// Spec 10 §8 items 2–4 against a real server: every interop datetime, cid and uri vector through a method using that format.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

const dir = join(import.meta.dir, "../fixtures/atproto/syntax");
/** Vector lines: comments and blank lines dropped; leading/trailing whitespace is part of some vectors. */
async function vectors(name: string): Promise<string[]> {
  return (await Bun.file(join(dir, `${name}.txt`)).text()).split("\n").filter((l) => l.length > 0 && !l.startsWith("#"));
}

let pds: RunningPds;
let did: string;
let token: string;
beforeAll(async () => {
  pds = await startPds();
  const password = /^password: (.+)$/m.exec(await Bun.file(`${pds.dataDir}/dev-admin.txt`).text())![1];
  const s = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password } }));
  did = s.did;
  token = s.accessJwt;
});
afterAll(async () => {
  await pds?.stop();
});

const head = async () => (await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did } }))).cid as string;
/** putRecord of app.bsky.actor.profile/self (a lexicon this server knows, so the record is validated). */
const profile = (fields: Record<string, unknown>) =>
  xrpc(pds.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "app.bsky.actor.profile", rkey: "self", record: { $type: "app.bsky.actor.profile", ...fields } } });

test("cid: valid syntax passes the format check (then the method's own not-found / InvalidSwap); invalid → 400 InvalidRequest", async () => {
  const valid = await vectors("cid_syntax_valid");
  const invalid = await vectors("cid_syntax_invalid");
  expect(invalid).toContain("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR"); // CIDv0 is refused
  const before = await head();
  for (const cid of valid) {
    const rec = await xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.bsky.actor.profile", rkey: "self", cid } });
    expect([cid, rec.status, rec.body.error]).toEqual([cid, 400, "RecordNotFound"]);
    const blocks = await xrpc(pds.url, "com.atproto.sync.getBlocks", { params: { did, cids: cid } });
    expect([cid, blocks.status, blocks.body.error]).toEqual([cid, 400, "BlockNotFound"]);
    const swap = await xrpc(pds.url, "com.atproto.repo.putRecord", { token, body: { repo: did, collection: "app.bsky.actor.profile", rkey: "self", record: { $type: "app.bsky.actor.profile" }, swapCommit: cid } });
    expect([cid, swap.status, swap.body.error]).toEqual([cid, 400, "InvalidSwap"]);
  }
  for (const cid of invalid) {
    const rec = await xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.bsky.actor.profile", rkey: "self", cid } });
    expect([cid, rec.status, rec.body.error]).toEqual([cid, 400, "InvalidRequest"]);
    expect(rec.body.message).toContain("cid");
    const blocks = await xrpc(pds.url, "com.atproto.sync.getBlocks", { params: { did, cids: cid } });
    expect([cid, blocks.status, blocks.body.error]).toEqual([cid, 400, "InvalidRequest"]);
    const swap = await xrpc(pds.url, "com.atproto.repo.deleteRecord", { token, body: { repo: did, collection: "app.bsky.actor.profile", rkey: "self", swapRecord: cid } });
    expect([cid, swap.status, swap.body.error]).toEqual([cid, 400, "InvalidRequest"]);
    expect(swap.body.message).toContain("Input/swapRecord");
    const inRecord = await profile({ pinnedPost: { uri: `at://${did}/app.bsky.feed.post/3jzfcijpj2z2a`, cid } });
    expect([cid, inRecord.status, inRecord.body.error]).toEqual([cid, 400, "InvalidRequest"]);
    expect(inRecord.body.message).toContain("Record/pinnedPost/cid");
  }
  expect(await head()).toBe(before); // nothing was written
});

test("uri: a profile's website (format uri) accepts every valid vector and refuses every invalid one with 400", async () => {
  const facet = (uri: string) => ({ website: uri });
  const valid = await vectors("uri_syntax_valid");
  expect(valid).toContain("content-type:text/plan");
  for (const uri of valid) {
    const r = await profile(facet(uri));
    expect([uri.slice(0, 40), r.status]).toEqual([uri.slice(0, 40), 200]);
  }
  const before = await head();
  for (const uri of await vectors("uri_syntax_invalid")) {
    const r = await profile(facet(uri));
    expect([uri.slice(0, 40), r.status, r.body.error]).toEqual([uri.slice(0, 40), 400, "InvalidRequest"]);
    expect(r.body.message).toContain("uri");
  }
  expect(await head()).toBe(before);
});

test("datetime in a record (profile createdAt): valid vectors → 200; syntax- and parse-invalid ones → 400 naming the field", async () => {
  for (const createdAt of await vectors("datetime_syntax_valid")) {
    const r = await profile({ createdAt });
    expect([createdAt, r.status]).toEqual([createdAt, 200]);
  }
  const before = await head();
  for (const createdAt of [...(await vectors("datetime_syntax_invalid")), ...(await vectors("datetime_parse_invalid"))]) {
    const r = await profile({ createdAt });
    expect([createdAt, r.status, r.body.error]).toEqual([createdAt, 400, "InvalidRequest"]);
    expect(r.body.message).toContain("createdAt");
  }
  expect(await head()).toBe(before);
});
