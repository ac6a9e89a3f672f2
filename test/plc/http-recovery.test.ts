// Recovery (nullification, 409 races, the 72 h window), tombstones, concurrency and per-DID op limits.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { importLog, startPlcServer, verifyAll } from "../../plc/index.ts";
import {
  auditText,
  genesis,
  get,
  k256,
  mustPost,
  post,
  startTestPlc,
  tempDbPath,
  tombstone,
  update,
  type TestPlc,
} from "./_support.ts";

let plc: TestPlc;
beforeAll(async () => {
  plc = await startTestPlc();
});
afterAll(() => plc.close());

const audit = async (did: string) => (await get(plc.url, `/${did}/log/audit`)).body as { cid: string; nullified: boolean }[];
const flags = async (did: string) => (await audit(did)).map((e) => [e.cid, e.nullified]);

describe("recovery", () => {
  test("lower key updates, higher key forks (200, nullified), same key again 409, highest key re-forks 200", async () => {
    const [high, mid, low] = [await k256(), await k256(), await k256()];
    const rotationKeys = [high.did(), mid.did(), low.did()];
    const g = await genesis(low, { rotationKeys });
    await mustPost(plc.url, g.did, g.op);

    const byLow = await update(g.cid, low, { rotationKeys });
    await mustPost(plc.url, g.did, byLow.op);

    const byMid = await update(g.cid, mid, { rotationKeys, alsoKnownAs: ["at://mid.test"] });
    expect((await post(plc.url, g.did, byMid.op)).status).toBe(200);
    expect(await flags(g.did)).toEqual([
      [g.cid, false],
      [byLow.cid, true],
      [byMid.cid, false],
    ]);
    expect((await get(plc.url, `/${g.did}/data`)).body.alsoKnownAs).toEqual(["at://mid.test"]);

    // The same key forking from genesis again would nullify its own op: a lost race, 409.
    const midAgain = await update(g.cid, mid, { rotationKeys, alsoKnownAs: ["at://mid2.test"] });
    const before = await auditText(plc.url, g.did);
    const r = await post(plc.url, g.did, midAgain.op);
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ message: `Proposed prev does not match the most recent operation: ${byMid.cid}` });
    expect(await auditText(plc.url, g.did)).toBe(before);

    // A lower key cannot fork over a higher one either (409 on POST: it is a lost race for it).
    const lowFork = await update(g.cid, low, { rotationKeys, alsoKnownAs: ["at://low2.test"] });
    expect((await post(plc.url, g.did, lowFork.op)).status).toBe(409);

    const byHigh = await update(g.cid, high, { rotationKeys, alsoKnownAs: ["at://high.test"] });
    expect((await post(plc.url, g.did, byHigh.op)).status).toBe(200);
    expect(await flags(g.did)).toEqual([
      [g.cid, false],
      [byLow.cid, true],
      [byMid.cid, true],
      [byHigh.cid, false],
    ]);
    const log = (await get(plc.url, `/${g.did}/log`)).body;
    expect(log).toEqual([g.op, byHigh.op]);
    expect((await verifyAll(plc.dbPath)).mismatches).toEqual([]);
  });

  test("a fork signed by a key outside prev's rotation keys -> 400 Invalid signature", async () => {
    const [high, low, stranger] = [await k256(), await k256(), await k256()];
    const rotationKeys = [high.did(), low.did()];
    const g = await genesis(low, { rotationKeys });
    await mustPost(plc.url, g.did, g.op);
    await mustPost(plc.url, g.did, (await update(g.cid, low, { rotationKeys })).op);
    const before = await auditText(plc.url, g.did);
    const r = await post(plc.url, g.did, (await update(g.cid, stranger, { rotationKeys })).op);
    expect(r.status).toBe(400);
    expect(r.body.message).toStartWith("Invalid signature on op: ");
    expect(await auditText(plc.url, g.did)).toBe(before);
  });

  test("forking from a nullified op -> misordered", async () => {
    const [high, low] = [await k256(), await k256()];
    const rotationKeys = [high.did(), low.did()];
    const g = await genesis(low, { rotationKeys });
    await mustPost(plc.url, g.did, g.op);
    const a = await update(g.cid, low, { rotationKeys });
    await mustPost(plc.url, g.did, a.op);
    await mustPost(plc.url, g.did, (await update(g.cid, high, { rotationKeys })).op);
    const r = await post(plc.url, g.did, (await update(a.cid, high, { rotationKeys })).op);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "Operations not correctly ordered" });
  });
});

describe("72 h recovery window (import with recorded times)", () => {
  async function forkLog(gapMs: number) {
    const [high, low] = [await k256(), await k256()];
    const rotationKeys = [high.did(), low.did()];
    const g = await genesis(low, { rotationKeys });
    const u = await update(g.cid, low, { rotationKeys });
    const fork = await update(g.cid, high, { rotationKeys, alsoKnownAs: ["at://recovered.test"] });
    const t0 = Date.parse("2025-01-01T00:00:00.000Z");
    const at = (ms: number) => new Date(ms).toISOString();
    const entries = [
      { did: g.did, operation: g.op, cid: g.cid, nullified: false, createdAt: at(t0) },
      { did: g.did, operation: u.op, cid: u.cid, nullified: false, createdAt: at(t0 + 1000) },
      { did: g.did, operation: fork.op, cid: fork.cid, nullified: false, createdAt: at(t0 + 1000 + gapMs) },
    ];
    return { g, u, fork, entries };
  }
  const H72 = 72 * 60 * 60 * 1000;

  test("a fork at 72 h + 1 ms -> window error", async () => {
    const { entries, fork } = await forkLog(H72 + 1);
    const { dir, dbPath } = tempDbPath();
    try {
      const report = await importLog(dbPath, JSON.stringify(entries));
      expect(report.accepted).toBe(2);
      expect(report.rejected).toHaveLength(1);
      expect(report.rejected[0]).toMatchObject({ index: 2, cid: fork.cid, rule: "late_recovery" });
      expect(report.rejected[0]!.message).toBe(
        `Recovery operation occurred outside of the allowed 72 hr recovery window. Time lapsed: ${H72 + 1}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a fork at exactly 72 h is accepted and nullifies; the server then serves it", async () => {
    const { entries, g, u, fork } = await forkLog(H72);
    const { dir, dbPath } = tempDbPath();
    try {
      const report = await importLog(dbPath, entries.map((e) => JSON.stringify(e)).join("\n")); // JSON-lines form
      expect(report).toMatchObject({ accepted: 3, rejected: [] });
      const server = await startPlcServer({ port: 0, host: "127.0.0.1", dbPath, rateLimitsEnabled: false, trustProxy: 0, dev: true, version: "t" });
      try {
        const log = (await get(server.url, `/${g.did}/log/audit`)).body;
        expect(log.map((e: { cid: string; nullified: boolean; createdAt: string }) => [e.cid, e.nullified, e.createdAt])).toEqual([
          [g.cid, false, entries[0]!.createdAt],
          [u.cid, true, entries[1]!.createdAt],
          [fork.cid, false, entries[2]!.createdAt],
        ]);
        expect((await get(server.url, `/${g.did}`)).body.alsoKnownAs).toEqual(["at://recovered.test"]);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a recovery op not newer than the op it nullifies is rejected on import", async () => {
    const { entries } = await forkLog(0);
    const { dir, dbPath } = tempDbPath();
    try {
      const report = await importLog(dbPath, JSON.stringify(entries));
      expect(report.rejected[0]).toMatchObject({ index: 2, rule: "misordered" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tombstones", () => {
  test("tombstone hides the DID, blocks updates, and a higher key revives it within 72 h", async () => {
    const [high, low] = [await k256(), await k256()];
    const rotationKeys = [high.did(), low.did()];
    const g = await genesis(low, { rotationKeys });
    await mustPost(plc.url, g.did, g.op);
    const t = await tombstone(g.cid, low);
    expect((await post(plc.url, g.did, t.op)).status).toBe(200);

    for (const suffix of ["", "/data"]) {
      const r = await get(plc.url, `/${g.did}${suffix}`);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: `DID not available: ${g.did}` });
    }
    expect((await get(plc.url, `/${g.did}/log`)).body.at(-1)).toEqual(t.op);
    expect((await get(plc.url, `/${g.did}/log/last`)).body).toEqual(t.op);
    expect((await get(plc.url, `/${g.did}/log/audit`)).status).toBe(200);

    // An update on the tombstone is misordered; so is a second tombstone.
    const before = await auditText(plc.url, g.did);
    const onTomb = await post(plc.url, g.did, (await update(t.cid, high, { rotationKeys })).op);
    expect(onTomb.status).toBe(400);
    expect(onTomb.body).toEqual({ message: "Operations not correctly ordered" });
    expect((await post(plc.url, g.did, (await tombstone(t.cid, high)).op)).status).toBe(400);
    expect(await auditText(plc.url, g.did)).toBe(before);

    // Revival: the higher key forks from before the tombstone.
    const revive = await update(g.cid, high, { rotationKeys, alsoKnownAs: ["at://back.test"] });
    expect((await post(plc.url, g.did, revive.op)).status).toBe(200);
    const doc = await get(plc.url, `/${g.did}`);
    expect(doc.status).toBe(200);
    expect(doc.body.alsoKnownAs).toEqual(["at://back.test"]);
    expect(await flags(g.did)).toEqual([
      [g.cid, false],
      [t.cid, true],
      [revive.cid, false],
    ]);
  });

  test("empty rotation keys lock the DID: later updates are invalid", async () => {
    const key = await k256();
    const g = await genesis(key);
    await mustPost(plc.url, g.did, g.op);
    const lock = await update(g.cid, key, { rotationKeys: [] });
    await mustPost(plc.url, g.did, lock.op);
    const r = await post(plc.url, g.did, (await update(lock.cid, key, { rotationKeys: [key.did()] })).op);
    expect(r.status).toBe(400);
    expect(r.body.message).toStartWith("Invalid signature on op: ");
  });
});

describe("concurrency", () => {
  test("20 concurrent updates on one prev -> exactly one 200, 19 x 409; the log still validates", async () => {
    const key = await k256();
    const g = await genesis(key);
    await mustPost(plc.url, g.did, g.op);
    const updates = await Promise.all(
      Array.from({ length: 20 }, (_, i) => update(g.cid, key, { rotationKeys: [key.did()], alsoKnownAs: [`at://race${i}.test`] })),
    );
    const replies = await Promise.all(updates.map((u) => post(plc.url, g.did, u.op)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = updates[replies.findIndex((r) => r.status === 200)]!;
    for (const r of replies.filter((r) => r.status === 409))
      expect(r.body).toEqual({ message: `Proposed prev does not match the most recent operation: ${winner.cid}` });
    expect(await flags(g.did)).toEqual([
      [g.cid, false],
      [winner.cid, false],
    ]);
    expect((await verifyAll(plc.dbPath)).mismatches).toEqual([]);
  });

  test("concurrent genesis ops for different DIDs all land", async () => {
    const ops = await Promise.all(Array.from({ length: 30 }, async () => genesis(await k256())));
    const replies = await Promise.all(ops.map((g) => post(plc.url, g.did, g.op)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
  });
});

describe("per-DID operation rate limit", () => {
  test("genesis + 9 updates ok, the 10th update in the hour -> 400, a nullifying op still accepted", async () => {
    const [high, low] = [await k256(), await k256()];
    const rotationKeys = [high.did(), low.did()];
    const g = await genesis(low, { rotationKeys });
    await mustPost(plc.url, g.did, g.op);
    let prev = g.cid;
    const cids = [g.cid];
    for (let i = 0; i < 9; i++) {
      const u = await update(prev, low, { rotationKeys, alsoKnownAs: [`at://u${i}.test`] });
      expect((await post(plc.url, g.did, u.op)).status).toBe(200);
      prev = u.cid;
      cids.push(u.cid);
    }
    const tenth = await update(prev, low, { rotationKeys });
    const before = await auditText(plc.url, g.did);
    const r = await post(plc.url, g.did, tenth.op);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "To many operations within last hour (max 10)" });
    expect(await auditText(plc.url, g.did)).toBe(before);

    // Recovery cannot be rate-limited away: the higher key nullifies the last update.
    const recover = await update(cids.at(-2)!, high, { rotationKeys, alsoKnownAs: ["at://recovered.test"] });
    expect((await post(plc.url, g.did, recover.op)).status).toBe(200);
    expect((await audit(g.did)).at(-2)!.nullified).toBe(true);
  });
});
