// Spec 10 §8 item 5: an account going live emits #identity, #account{active:true}, a genesis #commit and #sync, in order.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MemoryBlockstore, Repo, readCarWithRoot, verifyCommitSig } from "@atproto/repo";
import type { RunningPds } from "../_support/pds.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { FirehoseClient, type Frame } from "./_client.ts";
import { adminToken, startFirehosePds } from "./_support.ts";

async function expectGenesisFrames(pds: RunningPds, frames: Frame[], did: string, handle: string) {
  const mine = frames.filter((f) => (f.body.repo ?? f.body.did) === did);
  expect(mine.map((f) => f.t)).toEqual(["#identity", "#account", "#commit", "#sync"]);
  const [identity, account, commit, sync] = mine as [Frame, Frame, Frame, Frame];
  // consecutive seqs: one transaction appends all four
  expect([account.body.seq, commit.body.seq, sync.body.seq]).toEqual([identity.body.seq + 1, identity.body.seq + 2, identity.body.seq + 3]);
  expect(identity.body.handle).toBe(handle);
  expect(account.body.active).toBe(true);
  expect(commit.body.since).toBeNull();
  expect("prevData" in commit.body).toBe(false);
  expect(commit.body.ops.map((o: { action: string; path: string }) => [o.action, o.path])).toEqual([["create", "app.bsky.actor.profile/self"]]);
  // the CAR alone holds the whole signed genesis tree, rooted at the commit the PDS reports as head
  const car = await readCarWithRoot(commit.body.blocks);
  expect(car.root.equals(commit.body.commit)).toBe(true);
  const store = new MemoryBlockstore(car.blocks);
  const repo = await Repo.load(store, car.root);
  expect(repo.did).toBe(did);
  expect(await verifyCommitSig(repo.commit, await plcSigningKey(pds.plcUrl, did))).toBe(true);
  expect(await repo.getRecord("app.bsky.actor.profile", "self")).toEqual((await ok(xrpc(pds.url, "com.atproto.repo.getRecord", { params: { repo: did, collection: "app.bsky.actor.profile", rkey: "self" } }))).value);
  const head = await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did } }));
  expect(head.cid).toBe(commit.body.commit.toString());
  expect(sync.body.rev).toBe(commit.body.rev);
}

let open: RunningPds;
let queued: RunningPds;
beforeAll(async () => {
  [open, queued] = await Promise.all([startFirehosePds({ INVITE_REQUIRED: "false", APPROVAL_REQUIRED: "false" }), startFirehosePds()]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), queued?.stop()]);
});

test("open registration: the four genesis frames, in order", async () => {
  const fh = new FirehoseClient(open.url);
  await fh.opened;
  const reg = await ok(xrpc(open.url, "net.openfederation.account.register", { body: { handle: "gina", email: "gina@example.org", password: "Pw-gina-2026-long" } }));
  const frames = await fh.until((fs) => fs.some((f) => f.t === "#sync" && f.body.did === reg.did));
  await expectGenesisFrames(open, frames, reg.did, reg.handle);
  fh.ws.close();
});

test("approval queue: nothing while pending, the same four frames on approval", async () => {
  const admin = await adminToken(queued.url);
  const invite = await ok(xrpc(queued.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
  const fh = new FirehoseClient(queued.url);
  await fh.opened;
  const reg = await ok(xrpc(queued.url, "net.openfederation.account.register", { body: { handle: "hal", email: "hal@example.org", password: "Pw-hal-2026-long", inviteCode: invite.code } }));
  await ok(xrpc(queued.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const frames = await fh.until((fs) => fs.some((f) => f.t === "#sync" && f.body.did === reg.did));
  await expectGenesisFrames(queued, frames, reg.did, reg.handle);
  fh.ws.close();
});
