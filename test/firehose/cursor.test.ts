// Cursor rules (spec 03 §7): exactly-once across a restart, FutureCursor, OutdatedCursor, plain HTTP → 400, live-only without a cursor.
import { afterAll, describe, expect, test } from "bun:test";
import { tempDirs } from "../_support/process.ts";
import { FirehoseClient } from "./_client.ts";
import { adminToken, createPost, liveSql, registerApproved, startFirehosePds } from "./_support.ts";

const newDir = tempDirs("ofpds-firehose-");

describe("exactly once across a restart", () => {
  test("SIGTERM closes the socket with 1001; reconnecting with the last cursor yields the rest, no gap, no duplicate", async () => {
    const dataDir = newDir();
    let pds = await startFirehosePds({}, { dataDir });
    const admin = await adminToken(pds.url);
    const alice = await registerApproved(pds.url, admin, "alice");
    for (let i = 0; i < 30; i++) await createPost(pds.url, alice, `a${i}`);

    const first = new FirehoseClient(pds.url, 0);
    await first.until((f) => f.length >= 10);
    const stopped = pds.stop();
    const { code } = await first.closed;
    expect(code).toBe(1001);
    expect(await stopped).toBe(0);
    const seen = first.seqs();
    const last = seen.at(-1)!;

    pds = await startFirehosePds({}, { dataDir });
    try {
      const bob = await registerApproved(pds.url, await adminToken(pds.url), "bob");
      await createPost(pds.url, bob, "b0");
      const second = new FirehoseClient(pds.url, last);
      const head = 4 + 4 + 30 + 4 + 1; // admin genesis, alice approval (with its genesis #commit), alice posts, bob approval, bob post
      await second.until((f) => f.some((x) => x.body.seq === head));
      await createPost(pds.url, bob, "b1"); // and live after the replay
      await second.until((f) => f.some((x) => x.body.seq === head + 1));
      const all = [...seen, ...second.seqs()];
      expect(all).toEqual(Array.from({ length: head + 1 }, (_, i) => i + 1));
      second.close();
    } finally {
      await pds.stop();
    }
  }, 60_000);
});

describe("cursor edge cases on one server", () => {
  let pds: Awaited<ReturnType<typeof startFirehosePds>>;
  afterAll(() => pds?.stop());

  test("plain HTTP GET → 400 InvalidRequest 'WebSocket upgrade required'", async () => {
    pds = await startFirehosePds({ FIREHOSE_BACKFILL_HOURS: "1" });
    const res = await fetch(`${pds.url}/xrpc/com.atproto.sync.subscribeRepos?cursor=0`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "InvalidRequest", message: "WebSocket upgrade required" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("a malformed cursor → 400 before the upgrade", async () => {
    const c = new FirehoseClient(pds.url, "abc" as unknown as number);
    await expect(c.opened).rejects.toThrow();
  });

  test("cursor beyond the head → FutureCursor error frame, then close", async () => {
    const c = new FirehoseClient(pds.url, 4 + 10);
    const { code } = await c.closed;
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]).toMatchObject({ op: -1, body: { error: "FutureCursor" } });
    expect(code).toBe(1008);
  });

  test("no cursor → live only: nothing from the backlog, then new events", async () => {
    const c = new FirehoseClient(pds.url);
    await c.opened;
    const admin = await adminToken(pds.url);
    await registerApproved(pds.url, admin, "carol");
    await c.until((f) => f.length >= 4);
    expect(c.seqs()).toEqual([5, 6, 7, 8]);
    expect(c.frames.map((f) => f.t)).toEqual(["#identity", "#account", "#commit", "#sync"]);
    c.close();
  });

  test("cursor older than the window → #info OutdatedCursor, then events from the oldest in the window", async () => {
    // age seq 1..5 beyond FIREHOSE_BACKFILL_HOURS=1 directly in the live database (a second connection)
    await liveSql(pds, "UPDATE repo_events SET created_at = ? WHERE seq <= 5", [new Date(Date.now() - 2 * 3_600_000).toISOString()]);
    const c = new FirehoseClient(pds.url, 0);
    await c.until((f) => f.length >= 4);
    expect(c.frames[0]).toMatchObject({ op: 1, t: "#info", body: { name: "OutdatedCursor" } });
    expect(c.seqs()).toEqual([6, 7, 8]);
    c.close();
    // a cursor inside the window is not outdated
    const d = new FirehoseClient(pds.url, 5);
    await d.until((f) => f.length >= 3);
    expect(d.frames.map((f) => f.t)).toEqual(["#account", "#commit", "#sync"]);
    d.close();
  });
});
