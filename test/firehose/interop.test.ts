// A strict relay's view of our firehose: every #commit verifies (signature, prevData chain, Sync 1.1 inversion), seq is consecutive, events follow the §7 trigger table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCarWithRoot } from "@atproto/repo";
import { verifySignature } from "@atproto/crypto";
import * as dagCbor from "@ipld/dag-cbor";
import type { RunningPds } from "../_support/pds.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { verifyCommit } from "./_relay.ts";
import { FirehoseClient, type Frame } from "./_client.ts";
import { adminToken, createPost, registerApproved, startFirehosePds, type User } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

let pds: RunningPds;
let client: FirehoseClient;
let alice: User;

beforeAll(async () => {
  pds = await startFirehosePds();
  client = new FirehoseClient(pds.url, 0);
  await client.opened;
  const admin = await adminToken(pds.url);
  alice = await registerApproved(pds.url, admin, "alice");
  const put = (rkey: string, text: string) =>
    ok(xrpc(pds.url, "com.atproto.repo.putRecord", { token: alice.token, body: { repo: alice.did, collection: "app.bsky.feed.post", rkey: rk(rkey), record: { $type: "app.bsky.feed.post", text, createdAt: new Date().toISOString() } } }));
  for (let i = 0; i < 5; i++) await createPost(pds.url, alice, `p${i}`);
  await put("p1", "edited"); // update
  await put("p9", "new via put"); // create via put
  await ok(xrpc(pds.url, "com.atproto.repo.deleteRecord", { token: alice.token, body: { repo: alice.did, collection: "app.bsky.feed.post", rkey: rk("p2") } }));
  await ok(
    xrpc(pds.url, "com.atproto.repo.applyWrites", {
      token: alice.token,
      body: {
        repo: alice.did,
        writes: [
          { $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", rkey: rk("b1"), value: { $type: "app.bsky.feed.post", text: "batch", createdAt: new Date().toISOString() } },
          { $type: "com.atproto.repo.applyWrites#update", collection: "app.bsky.feed.post", rkey: rk("p3"), value: { $type: "app.bsky.feed.post", text: "batch edit", createdAt: new Date().toISOString() } },
          { $type: "com.atproto.repo.applyWrites#delete", collection: "app.bsky.feed.post", rkey: rk("p4") },
        ],
      },
    }),
  );
  // 20 concurrent writers: the chain must still be linear on the wire
  await Promise.all(Array.from({ length: 20 }, (_, i) => createPost(pds.url, alice, `c${i}`)));
  const head = await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did: alice.did } }));
  await client.until((frames) => frames.some((f) => f.t === "#commit" && f.body.repo === alice.did && f.body.rev === head.rev));
}, 60_000);

afterAll(async () => {
  client?.close();
  await pds?.stop();
});

describe("firehose as a strict relay sees it", () => {
  test("seq starts at 1 and is consecutive; every frame is a sequenced event with a time", () => {
    const seqs = client.seqs();
    expect(seqs.length).toBe(client.frames.length);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    for (const f of client.frames) {
      expect(f.op).toBe(1);
      expect(typeof f.body.time).toBe("string");
    }
  });

  test("every #commit verifies: signature against the PLC key, prevData chain, inversion from the frame's blocks only", async () => {
    const keys = new Map<string, string>();
    const keyOf = async (did: string) => keys.get(did) ?? keys.set(did, await plcSigningKey(pds.plcUrl, did)).get(did)!;
    const prevData = new Map<string, string>();
    const commits = client.frames.filter((f) => f.t === "#commit");
    expect(commits.length).toBeGreaterThanOrEqual(30);
    const lastRev = new Map<string, string>();
    for (const f of client.frames) {
      if (f.t === "#sync") {
        // #sync resets a relay's view of the repo: the signed commit (only block) gives the next prevData
        const { root, blocks } = await readCarWithRoot(f.body.blocks as Uint8Array);
        expect(blocks.size).toBe(1);
        const commit = dagCbor.decode(blocks.get(root)!) as { data: any; rev: string; sig: Uint8Array; did: string };
        const { sig, ...unsigned } = commit;
        expect(await verifySignature(await keyOf(f.body.did), dagCbor.encode(unsigned), sig)).toBe(true);
        expect(commit.rev).toBe(f.body.rev);
        prevData.set(f.body.did, commit.data.toString());
        lastRev.set(f.body.did, commit.rev);
        continue;
      }
      if (f.t !== "#commit") continue;
      await verifyCommit(f.body, prevData, keyOf);
      const before = lastRev.get(f.body.repo);
      if (before !== undefined) {
        expect(f.body.since).toBe(before);
        expect(f.body.rev > before).toBe(true);
      }
      lastRev.set(f.body.repo, f.body.rev);
    }
  });

  test("alice's events follow the trigger table: approval → #identity, #account{active}, genesis #commit, #sync (spec 10 §8 item 5); then only #commit", () => {
    const mine = client.frames.filter((f) => f.body.did === alice.did || f.body.repo === alice.did);
    const types = mine.map((f) => f.t);
    expect(types.slice(0, 4)).toEqual(["#identity", "#account", "#commit", "#sync"]);
    expect(mine[2]!.body.since).toBeNull();
    expect(mine[0]!.body.handle).toBe("alice.test");
    expect(mine[1]!.body).toMatchObject({ active: true });
    expect(types.slice(4).every((t) => t === "#commit")).toBe(true);
    // pending → nothing was emitted before approval (the #identity is the first frame about alice)
    expect(mine[0]!.body.seq).toBe(Math.min(...mine.map((f) => f.body.seq)));
  });

  test("the ops carry the right actions: update via putRecord, delete with prev, applyWrites mixed", () => {
    const ops = client.frames.filter((f: Frame) => f.t === "#commit" && f.body.repo === alice.did).map((f) => f.body.ops.map((o: any) => `${o.action}:${o.path.split("/")[1]}`).join(","));
    expect(ops).toContain(`update:${rk("p1")}`);
    expect(ops).toContain(`create:${rk("p9")}`);
    expect(ops).toContain(`delete:${rk("p2")}`);
    expect(ops).toContain(`create:${rk("b1")},update:${rk("p3")},delete:${rk("p4")}`);
  });

  test("the admin's genesis (created active at bootstrap): #identity, #account, #commit (genesis), #sync", () => {
    const first = client.frames.slice(0, 4);
    expect(first.map((f) => f.t)).toEqual(["#identity", "#account", "#commit", "#sync"]);
    expect(first[2]!.body.since).toBeNull();
    expect(first[3]!.body.rev).toBe(first[2]!.body.rev);
  });
});
