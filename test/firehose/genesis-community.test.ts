// Communities becoming visible announce themselves (03 §7), read by the stock @atproto/sync consumer: created public → the four genesis frames; private → public → #account, #identity, #sync of the head.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Event } from "@atproto/sync";
import type { RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { stockConsumer, summary } from "./_stock.ts";
import { adminToken, registerApproved, startFirehosePds, type User } from "./_support.ts";

const NS = "net.openfederation.community";
let pds: RunningPds;
let owner: User;
beforeAll(async () => {
  pds = await startFirehosePds();
  owner = await registerApproved(pds.url, await adminToken(pds.url), "founder");
});
afterAll(async () => {
  await pds?.stop();
});

const head = async (did: string) => (await ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did } }))) as { cid: string; rev: string };
const syncOf = (evts: Event[], did: string) => evts.find((e) => e.did === did && e.event === "sync");

test("created public: #identity, #account active, the genesis #commit with every genesis record, #sync of that head", async () => {
  const fh = stockConsumer(pds, 0);
  const created = await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "openclub", didMethod: "plc", displayName: "Open club" } }));
  const evts = await fh.until((es) => syncOf(es, created.did) !== undefined);
  expect(fh.errors).toEqual([]);
  const mine = summary(evts, created.did);
  expect([mine[0], mine[1], mine.at(-1)]).toEqual([["identity"], ["account", true], ["sync"]]);
  // one #commit, the genesis: its verified creates are exactly the genesis records (in write order; compared sorted)
  expect(evts.filter((e) => e.did === created.did && e.event !== "create").length).toBe(3);
  expect(new Set(evts.flatMap((e) => (e.did === created.did && e.event === "create" ? [e.commit.toString()] : []))).size).toBe(1);
  expect(mine.slice(2, -1).map((r) => `${r[0]} ${r[1]}/${r[2]}`).sort()).toEqual(
    [`${NS}.member/${owner.did}`, `${NS}.profile/self`, `${NS}.role/member`, `${NS}.role/moderator`, `${NS}.role/owner`, `${NS}.settings/self`].map((p) => `create ${p}`).sort(),
  );
  const h = await head(created.did);
  const sync = syncOf(evts, created.did);
  expect(sync?.event === "sync" && [sync.cid.toString(), sync.rev]).toEqual([h.cid, h.rev]);
  const identity = evts.find((e) => e.did === created.did && e.event === "identity");
  expect(identity?.event === "identity" && identity.handle).toBe(created.handle);
  await fh.destroy();
});

test("private → public: nothing while private; then #account active, #identity, #sync of the current head", async () => {
  const created = await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "quietclub", didMethod: "plc", visibility: "private" } }));
  await ok(xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, displayName: "Still quiet" } }));
  const fh = stockConsumer(pds, 0);
  await ok(xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, visibility: "public", joinPolicy: "open" } }));
  const evts = await fh.until((es) => syncOf(es, created.did) !== undefined);
  expect(fh.errors).toEqual([]);
  // the replay from 0 covers the private period: no frame of this repo before the switch
  expect(summary(evts, created.did)).toEqual([["account", true], ["identity"], ["sync"]]);
  const h = await head(created.did);
  const sync = syncOf(evts, created.did);
  expect(sync?.event === "sync" && [sync.cid.toString(), sync.rev]).toEqual([h.cid, h.rev]);
  // a later write is an ordinary, verified #commit
  await ok(xrpc(pds.url, `${NS}.update`, { token: owner.token, body: { did: created.did, displayName: "Loud now" } }));
  const after = await fh.until((es) => es.some((e) => e.did === created.did && e.event === "update"));
  expect(summary(after, created.did).slice(3)).toEqual([["update", `${NS}.profile`, "self", null]]);
  await fh.destroy();
});
