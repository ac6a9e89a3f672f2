// Test support for the repo engine: a real Database in a temp dir, a Sequencer and a RepoService with in-memory signing keys.
import { Secp256k1Keypair, type Keypair } from "@atproto/crypto";
import * as dagCbor from "@ipld/dag-cbor";
import type { Database } from "../../src/db/database.ts";
import { RepoService } from "../../src/repo/service.ts";
import { Sequencer } from "../../src/sequencer/sequencer.ts";
import { createLogger } from "../../src/util/logger.ts";
import { testConfig } from "../xrpc/_app.ts";
import { tempDir } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";

export interface RepoHarness {
  db: Database;
  /** the data directory the database belongs to */
  dataDir: string;
  sequencer: Sequencer;
  repo: RepoService;
  keys: Map<string, Keypair>;
  /** genesis commit for a fresh DID (announced unless told otherwise) */
  newRepo(opts?: { announce?: boolean; did?: string }): Promise<{ did: string; key: Keypair }>;
  eventCount(): Promise<number>;
  events(): Promise<Array<{ seq: number; did: string; type: string; body: Record<string, unknown> }>>;
  /** root, index and event count: what a failed write must leave unchanged */
  snapshot(did: string): Promise<unknown>;
  close(): Promise<void>;
}

let counter = 0;

export async function repoHarness(): Promise<RepoHarness> {
  const dir = tempDir("ofpds-repo-");
  const db = await openTestDatabase(dir.path);
  const sequencer = new Sequencer(db);
  const keys = new Map<string, Keypair>();
  const repo = new RepoService({
    config: testConfig({ dataDir: dir.path }),
    db,
    sequencer,
    logger: createLogger({ level: "error" }),
    signingKeypair: async (did) => {
      const k = keys.get(did);
      if (!k) throw new Error(`no key for ${did}`);
      return k;
    },
  });
  const reader = db.raw;
  const count = async (sql: string, params: unknown[] = []) => Number((await reader.get<{ n: number }>(sql, params))!.n);
  return {
    db,
    dataDir: dir.path,
    sequencer,
    repo,
    keys,
    async newRepo(opts = {}) {
      const did = opts.did ?? `did:plc:test${String(++counter).padStart(20, "0")}`;
      const key = await Secp256k1Keypair.create({ exportable: true });
      keys.set(did, key);
      await db.transaction((tx) =>
        repo.createInTx(tx, { did, signingKey: key, ...(opts.announce === false ? {} : { announce: { handle: `u${counter}.test` } }) }),
      );
      return { did, key };
    },
    eventCount: () => count("SELECT COUNT(*) AS n FROM repo_events"),
    events: async () =>
      (await reader.all<{ seq: number; did: string; type: string; body: Uint8Array }>("SELECT seq, did, type, body FROM repo_events ORDER BY seq")).map(
        (r) => ({ ...r, body: dagCbor.decode(r.body) as Record<string, unknown> }),
      ),
    snapshot: async (did) => ({
      root: await repo.head(did),
      records: await reader.all("SELECT collection, rkey, cid FROM records WHERE did = ? ORDER BY collection, rkey", [did]),
      blocks: await count("SELECT COUNT(*) AS n FROM repo_blocks WHERE did = ?", [did]),
      events: await count("SELECT COUNT(*) AS n FROM repo_events"),
    }),
    async close() {
      await db.close();
      dir.cleanup();
    },
  };
}

export async function readStream(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

export const post = (text: string) => ({ $type: "app.bsky.feed.post", text, createdAt: "2026-01-01T00:00:00.000Z" });
