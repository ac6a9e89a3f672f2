// com.atproto.sync.{getBlocks,listRepos,getRepoStatus} over HTTP (spec 03 §6, §9): outputs, errors, pagination, hidden accounts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCar } from "@atproto/repo";
import * as dagCbor from "@ipld/dag-cbor";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { startBlobPds, type BlobPds } from "../blob/_support.ts";

let t: BlobPds;
let erin: { did: string; token: string };
let frank: { did: string; token: string };
let pending: { did: string };

beforeAll(async () => {
  t = await startBlobPds();
  erin = await t.user("erin");
  frank = await t.user("frank");
  pending = await t.user("gina", { approve: false });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const setStatus = (did: string, status: string) => t.sql((db) => db.run("UPDATE accounts SET status = ? WHERE did = ?", [status, did]));
const getBlocks = (did: string, cids: string[]) =>
  fetch(`${t.pds.url}/xrpc/com.atproto.sync.getBlocks?${new URLSearchParams([["did", did], ...cids.map((c) => ["cids", c])])}`);

describe("getBlocks", () => {
  test("returns a CAR holding exactly the requested blocks", async () => {
    const headCid = (await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: erin.did } }))).cid;
    const rec = await ok(xrpc(t.pds.url, "com.atproto.repo.getRecord", { params: { repo: erin.did, collection: "app.bsky.actor.profile", rkey: "self" } }));
    const res = await getBlocks(erin.did, [headCid, rec.cid]);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.ipld.car");
    const car = await readCar(new Uint8Array(await res.arrayBuffer()));
    expect(car.blocks.size).toBe(2);
    const commit = dagCbor.decode(car.blocks.get(headCid as never) ?? car.blocks.entries()[0]!.bytes) as { did: string };
    expect(commit.did).toBe(erin.did);
    expect(car.blocks.has(rec.cid as never) || [...car.blocks.entries()].some((b) => b.cid.toString() === rec.cid)).toBe(true);
  });

  test("a block of another repo, or an unknown CID → 400 BlockNotFound", async () => {
    const franksHead = (await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: frank.did } }))).cid;
    const erinsHead = (await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: erin.did } }))).cid;
    const res = await getBlocks(erin.did, [erinsHead, franksHead]);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("BlockNotFound");
  });

  test.each([
    ["no cids", () => [] as string[], "InvalidRequest"],
    // 1 000 CIDs cannot fit in a URL (8 KiB → 400 before the handler); 150 already exceed it.
    ["150 cids (URL over 8 KiB)", () => Array.from({ length: 150 }, () => "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"), "InvalidRequest"],
    ["a malformed cid", () => ["not-a-cid"], "InvalidRequest"],
  ])("%s → 400 %s", async (_name, cids, error) => {
    const res = await getBlocks(erin.did, cids());
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(error);
  });

  test("suspended repo → 400 RepoSuspended", async () => {
    const headCid = (await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: frank.did } }))).cid;
    await setStatus(frank.did, "suspended");
    try {
      const res = await getBlocks(frank.did, [headCid]);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe("RepoSuspended");
    } finally {
      await setStatus(frank.did, "approved");
    }
  });
});

describe("listRepos", () => {
  test("hosted repos in hosting order with head and rev; pending accounts are not listed", async () => {
    const { repos, cursor } = await ok(xrpc(t.pds.url, "com.atproto.sync.listRepos"));
    expect(cursor).toBeUndefined();
    const dids = repos.map((r: { did: string }) => r.did);
    expect(dids).not.toContain(pending.did);
    expect(dids.slice(-2)).toEqual([erin.did, frank.did]);
    const e = repos.find((r: { did: string }) => r.did === erin.did);
    const head = await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: erin.did } }));
    expect(e).toEqual({ did: erin.did, head: head.cid, rev: head.rev, active: true });
  });

  test("paginates with limit and cursor, each repo exactly once", async () => {
    const all = (await ok(xrpc(t.pds.url, "com.atproto.sync.listRepos"))).repos.map((r: { did: string }) => r.did);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(xrpc(t.pds.url, "com.atproto.sync.listRepos", { params: { limit: 1, ...(cursor ? { cursor } : {}) } }));
      expect(page.repos.length).toBeLessThanOrEqual(1);
      seen.push(...page.repos.map((r: { did: string }) => r.did));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  test("a suspended account is listed as inactive with its status", async () => {
    await setStatus(frank.did, "suspended");
    try {
      const { repos } = await ok(xrpc(t.pds.url, "com.atproto.sync.listRepos"));
      expect(repos.find((r: { did: string }) => r.did === frank.did)).toMatchObject({ active: false, status: "suspended" });
    } finally {
      await setStatus(frank.did, "approved");
    }
  });

  test("150 hidden repos between two listed ones (more than one read batch) are skipped without losing or repeating a repo", async () => {
    // repo roots with no account and no community behind them exist to nobody (§9): never listed
    const orphans = Array.from({ length: 150 }, (_, i) => `did:plc:orphan${String(i).padStart(16, "0")}`);
    await t.sql((db) =>
      db.runMany("INSERT INTO repo_roots (did, commit_cid, rev, updated_at) VALUES (?, 'bafyorphan', '3aaaaaaaaaaaa', ?)", orphans.map((did) => [did, new Date().toISOString()])),
    );
    const hana = await t.user("hana");
    const all = (await ok(xrpc(t.pds.url, "com.atproto.sync.listRepos"))).repos.map((r: { did: string }) => r.did);
    expect(all.slice(-3)).toEqual([erin.did, frank.did, hana.did]);
    expect(all.filter((d: string) => d.includes("orphan"))).toEqual([]);
    // the page after frank's cursor is hana's, across the 150 hidden rows
    let cursor: string | undefined;
    const seen: string[] = [];
    do {
      const page = await ok(xrpc(t.pds.url, "com.atproto.sync.listRepos", { params: { limit: 1, ...(cursor ? { cursor } : {}) } }));
      expect(page.repos.length).toBe(1);
      seen.push(page.repos[0].did);
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  test.each([["abc"], ["-1"]])("malformed cursor %s → 400 InvalidRequest", async (cursor) => {
    const res = await xrpc(t.pds.url, "com.atproto.sync.listRepos", { params: { cursor } });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "InvalidRequest" });
  });
});

describe("getRepoStatus", () => {
  test("active account → {did, active:true, rev}", async () => {
    const head = await ok(xrpc(t.pds.url, "com.atproto.sync.getLatestCommit", { params: { did: erin.did } }));
    expect(await ok(xrpc(t.pds.url, "com.atproto.sync.getRepoStatus", { params: { did: erin.did } }))).toEqual({ did: erin.did, active: true, rev: head.rev });
  });

  test.each([
    ["deactivated", "deactivated"],
    ["disabled", "deactivated"],
    ["suspended", "suspended"],
    ["takendown", "takendown"],
  ])("%s → active:false, status %s, no rev", async (status, shown) => {
    await setStatus(frank.did, status);
    try {
      expect(await ok(xrpc(t.pds.url, "com.atproto.sync.getRepoStatus", { params: { did: frank.did } }))).toEqual({ did: frank.did, active: false, status: shown });
    } finally {
      await setStatus(frank.did, "approved");
    }
  });

  test.each([
    ["unknown DID", () => "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"],
    ["pending account", () => pending.did],
  ])("%s → 400 RepoNotFound", async (_name, did) => {
    const res = await xrpc(t.pds.url, "com.atproto.sync.getRepoStatus", { params: { did: did() } });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 400, error: "RepoNotFound" });
  });
});

describe("listMissingBlobs", () => {
  test("an account that never imported expects nothing", async () => {
    expect(await ok(xrpc(t.pds.url, "com.atproto.repo.listMissingBlobs", { token: erin.token }))).toEqual({ blobs: [] });
  });
  test("anonymous → 401 AuthRequired", async () => {
    const res = await xrpc(t.pds.url, "com.atproto.repo.listMissingBlobs");
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 401, error: "AuthRequired" });
  });
});
