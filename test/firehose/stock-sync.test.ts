// The stock @atproto/sync Firehose consumer (signature + MST proof verification on) reads our subscribeRepos and resumes from a cursor.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Event } from "@atproto/sync";
import type { RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { stockConsumer, summary } from "./_stock.ts";
import { adminToken, registerApproved, startFirehosePds } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

let pds: RunningPds;
beforeAll(async () => {
  pds = await startFirehosePds();
});
afterAll(async () => {
  await pds?.stop();
});

test("verified identity/account/commit/sync events for a new account, its writes and deletes, then a cursor resume", async () => {
  const admin = await adminToken(pds.url);
  // cursor 0 replays from the first event: no race between the lazy connect and the account going live
  const fh = stockConsumer(pds, 0);
  const user = await registerApproved(pds.url, admin, "stockie");
  const post = (text: string) => ({ $type: "app.bsky.feed.post", text, createdAt: "2026-01-01T00:00:00.000Z" });
  await ok(xrpc(pds.url, "com.atproto.repo.createRecord", { token: user.token, body: { repo: user.did, collection: "app.bsky.feed.post", rkey: rk("p1"), record: post("first") } }));
  await ok(xrpc(pds.url, "com.atproto.repo.createRecord", { token: user.token, body: { repo: user.did, collection: "app.bsky.feed.post", rkey: rk("p2"), record: post("second") } }));
  await ok(xrpc(pds.url, "com.atproto.repo.putRecord", { token: user.token, body: { repo: user.did, collection: "app.bsky.feed.post", rkey: rk("p1"), record: post("first, edited") } }));
  await ok(xrpc(pds.url, "com.atproto.repo.deleteRecord", { token: user.token, body: { repo: user.did, collection: "app.bsky.feed.post", rkey: rk("p2") } }));

  const isLast = (e: Event) => e.did === user.did && e.event === "delete" && e.rkey === rk("p2");
  const all = await fh.until((es) => es.some(isLast));
  expect(fh.errors).toEqual([]);
  expect(summary(all, user.did)).toEqual([
    ["identity"],
    ["account", true],
    ["create", "app.bsky.actor.profile", "self", null],
    ["sync"],
    ["create", "app.bsky.feed.post", rk("p1"), "first"],
    ["create", "app.bsky.feed.post", rk("p2"), "second"],
    ["update", "app.bsky.feed.post", rk("p1"), "first, edited"],
    ["delete", "app.bsky.feed.post", rk("p2")],
  ]);
  const identity = all.find((e) => e.did === user.did && e.event === "identity");
  expect(identity?.event === "identity" && identity.didDocument?.id).toBe(user.did);
  // the consumer verified the handle both ways: DID document → handle, handle → DID (our /.well-known/atproto-did)
  const handle = (await ok(xrpc(pds.url, "com.atproto.repo.describeRepo", { params: { repo: user.did } }))).handle;
  expect(handle).toStartWith("stockie.");
  expect(identity?.event === "identity" && identity.handle).toBe(handle);
  // the record the consumer verified is the one the PDS serves
  const served = await ok(xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: user.did, collection: "app.bsky.feed.post", rkey: rk("p1") } }));
  const update = all.find((e) => e.did === user.did && e.event === "update");
  expect(update?.event === "update" && update.cid.toString()).toBe(served.cid);
  expect(update?.event === "update" && update.record).toEqual(served.value);
  await fh.destroy();

  // resume: a consumer whose cursor is the seq of the first post's create gets exactly the later events, nothing before
  const firstPost = all.find((e) => e.did === user.did && e.event === "create" && e.rkey === rk("p1"))!;
  const resumed = stockConsumer(pds, firstPost.seq);
  const replay = await resumed.until((es) => es.some(isLast));
  expect(resumed.errors).toEqual([]);
  expect(replay.every((e) => e.seq > firstPost.seq)).toBe(true);
  expect(summary(replay, user.did)).toEqual([
    ["create", "app.bsky.feed.post", rk("p2"), "second"],
    ["update", "app.bsky.feed.post", rk("p1"), "first, edited"],
    ["delete", "app.bsky.feed.post", rk("p2")],
  ]);
  await resumed.destroy();
}, 30_000);
