// Backfill filtering (spec 03 §7, §9) and the pruning job: hidden repos' #commit/#sync are not replayed; pruning keeps the newest row.
import { afterAll, describe, expect, test } from "bun:test";
import { openTestDatabase } from "../_support/db.ts";
import { Sequencer } from "../../src/sequencer/index.ts";
import { FirehoseService } from "../../src/firehose/index.ts";
import { createLogger } from "../../src/util/logger.ts";
import { tempDirs } from "../_support/process.ts";
import type { RunningPds } from "../_support/pds.ts";
import { FirehoseClient } from "./_client.ts";
import { adminToken, createPost, liveSql, registerApproved, startFirehosePds } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

const newDir = tempDirs("ofpds-firehose-prune-");

describe("backfill omits #commit/#sync of repos that are now takendown", () => {
  let pds: RunningPds;
  afterAll(() => pds?.stop());

  test("#identity and #account are replayed, the repo's #commit and #sync are not; others are untouched", async () => {
    pds = await startFirehosePds();
    const admin = await adminToken(pds.url);
    const alice = await registerApproved(pds.url, admin, "alice");
    const bob = await registerApproved(pds.url, admin, "bob");
    await createPost(pds.url, alice, "a1");
    await createPost(pds.url, bob, "b1");
    await liveSql(pds, "UPDATE accounts SET status = 'takendown' WHERE did = ?", [alice.did]);
    const c = new FirehoseClient(pds.url, 0);
    await c.until((f) => f.some((x) => x.t === "#commit" && x.body.repo === bob.did && x.body.ops[0].path.endsWith(rk("b1"))));
    const about = (did: string) => c.frames.filter((f) => f.body.did === did || f.body.repo === did).map((f) => f.t);
    expect(about(alice.did)).toEqual(["#identity", "#account"]);
    expect(about(bob.did)).toEqual(["#identity", "#account", "#commit", "#sync", "#commit"]);
    c.close();
  }, 30_000);
});

describe("pruning", () => {
  test("deletes events older than the window but never the newest row, so seq keeps counting", async () => {
    const db = await openTestDatabase(newDir());
    try {
      const sequencer = new Sequencer(db);
      const logger = createLogger({ level: "error", format: "json" });
      const firehose = new FirehoseService({ sequencer, accounts: { getRow: () => ({ status: "approved" }) }, config: { firehoseBackfillHours: 1, firehoseMaxBuffer: 500 }, logger });
      const old = new Date(Date.now() - 3 * 3_600_000).toISOString();
      await db.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await sequencer.appendInTx(tx, "did:plc:x", "#identity", { did: "did:plc:x", time: old });
      });
      expect(await firehose.prune()).toBe(4);
      expect(await sequencer.currentSeq()).toBe(5);
      expect((await sequencer.eventsAfter(0)).map((e) => e.seq)).toEqual([5]);
      const seq = await db.transaction((tx) => sequencer.identityInTx(tx, "did:plc:x"));
      expect(seq).toBe(6);
      expect(await firehose.prune()).toBe(1); // 5 is now old and no longer the newest
      expect((await sequencer.eventsAfter(0)).map((e) => e.seq)).toEqual([6]);
      firehose.shutdown();
    } finally {
      await db.close();
    }
  });
});
