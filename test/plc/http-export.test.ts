// /export (both pagination modes) and the /export/stream WebSocket.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import { genesis, get, k256, mustPost, post, startTestPlc, update, type TestPlc } from "./_support.ts";

let plc: TestPlc;
const TOTAL = 2600;
let nullifiedCid = "";

beforeAll(async () => {
  plc = await startTestPlc();
  // One signer for everything keeps generation fast; the DIDs still differ by their aka.
  const key = await Secp256k1Keypair.create();
  const gens = await Promise.all(Array.from({ length: TOTAL - 3 }, () => genesis(key)));
  for (let i = 0; i < gens.length; i += 50) {
    await Promise.all(gens.slice(i, i + 50).map((g) => mustPost(plc.url, g.did, g.op)));
  }
  // A nullified op, so both export modes must show it.
  const [high, low] = [await k256(), await k256()];
  const rotationKeys = [high.did(), low.did()];
  const g = await genesis(low, { rotationKeys });
  await mustPost(plc.url, g.did, g.op);
  const u = await update(g.cid, low, { rotationKeys });
  await mustPost(plc.url, g.did, u.op);
  await mustPost(plc.url, g.did, (await update(g.cid, high, { rotationKeys })).op);
  nullifiedCid = u.cid;
}, 60_000);
afterAll(() => plc.close());

const lines = (text: string) => (text === "" ? [] : text.split("\n").map((l) => JSON.parse(l)));

describe("sequenced export", () => {
  test(`paging over ${TOTAL} ops: no gaps, no duplicates, right shape, no trailing newline`, async () => {
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const r = await get(plc.url, `/export?after=${after}&count=1000`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toStartWith("application/jsonlines");
      expect(r.text.endsWith("\n")).toBe(false);
      const page = lines(r.text);
      if (page.length === 0) {
        expect(r.text).toBe("");
        break;
      }
      for (const l of page) {
        expect(Object.keys(l)).toEqual(["did", "cid", "seq", "createdAt", "operation", "type"]);
        expect(l.type).toBe("sequenced_op");
        seen.push(l.seq);
      }
      after = page.at(-1).seq;
    }
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => seen[0]! + i));
    const all = lines((await get(plc.url, `/export?after=${TOTAL - 3}`)).text);
    expect(all.map((l) => l.cid)).toContain(nullifiedCid); // nullified ops are included
  });

  test("count=5000 is clamped to 1000 lines; the default is 1000", async () => {
    expect(lines((await get(plc.url, "/export?after=0&count=5000")).text)).toHaveLength(1000);
    expect(lines((await get(plc.url, "/export?after=0")).text)).toHaveLength(1000);
    expect(lines((await get(plc.url, "/export?after=0&count=7")).text)).toHaveLength(7);
  });

  test("an empty page is an empty body", async () => {
    const r = await get(plc.url, `/export?after=${TOTAL + 100}`);
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
  });

  for (const bad of ["0", "abc", "-1", "1.5", ""]) {
    test(`count=${JSON.stringify(bad)} -> 400`, async () => {
      const r = await get(plc.url, `/export?count=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: "Invalid count parameter" });
    });
  }
  test("after=<garbage> -> 400", async () => {
    const r = await get(plc.url, "/export?after=not-a-date");
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "Invalid after parameter" });
  });
});

describe("legacy export", () => {
  test("lines carry nullified and non-decreasing createdAt, paging by date", async () => {
    const first = lines((await get(plc.url, "/export")).text);
    expect(first).toHaveLength(1000);
    expect(Object.keys(first[0])).toEqual(["did", "cid", "createdAt", "operation", "nullified"]);
    let prev = "";
    for (const l of first) {
      expect(typeof l.nullified).toBe("boolean");
      expect(l.createdAt >= prev).toBe(true);
      prev = l.createdAt;
    }
    const next = lines((await get(plc.url, `/export?after=${encodeURIComponent(prev)}&count=1000`)).text);
    for (const l of next) expect(l.createdAt > prev).toBe(true);
    const tail = lines((await get(plc.url, `/export?after=${encodeURIComponent("2000-01-01T00:00:00Z")}&count=1000`)).text);
    expect(tail[0].cid).toBe(first[0].cid);
    const seqLine = lines((await get(plc.url, `/export?after=${TOTAL - 10}`)).text).find((l) => l.cid === nullifiedCid);
    const justBefore = new Date(Date.parse(seqLine.createdAt) - 1).toISOString();
    const withNull = lines((await get(plc.url, `/export?after=${encodeURIComponent(justBefore)}`)).text);
    expect(withNull.find((l) => l.cid === nullifiedCid)?.nullified).toBe(true);
  });
  test("a date in the future -> empty body", async () => {
    const r = await get(plc.url, "/export?after=2999-01-01T00:00:00.000Z");
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
  });
});

function openStream(query: string) {
  const ws = new WebSocket(`${plc.url.replace("http", "ws")}/export/stream${query}`);
  const messages: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
  );
  ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("ws error")));
  });
  const until = async (n: number, ms = 10_000) => {
    const end = Date.now() + ms;
    while (messages.length < n && Date.now() < end) await Bun.sleep(10);
    return messages;
  };
  return { ws, messages, closed, opened, until };
}

describe("stream", () => {
  test("426 without upgrade; 400 on a bad cursor", async () => {
    const r = await get(plc.url, "/export/stream");
    expect(r.status).toBe(426);
    expect(r.body).toEqual({ message: "upgrade required" });
    const bad = await get(plc.url, "/export/stream?cursor=abc", { upgrade: "websocket", connection: "Upgrade" });
    expect(bad.status).toBe(400);
  });

  test("a POST produces a live event", async () => {
    const s = openStream("");
    await s.opened;
    const key = await k256();
    const g = await genesis(key);
    expect((await post(plc.url, g.did, g.op)).status).toBe(200);
    const [event] = await s.until(1);
    expect(event).toMatchObject({ type: "sequenced_op", did: g.did, cid: g.cid, operation: g.op });
    expect(typeof event.seq).toBe("number");
    s.ws.close();
  });

  test("cursor backfill equals /export?after=<cursor>, then goes live without gaps", async () => {
    const head = lines((await get(plc.url, `/export?after=${TOTAL}`)).text).at(-1)?.seq ?? TOTAL;
    const cursor = head - 700;
    const expected = [
      ...lines((await get(plc.url, `/export?after=${cursor}&count=1000`)).text),
    ];
    const s = openStream(`?cursor=${cursor}`);
    await s.opened;
    const got = await s.until(expected.length);
    expect(got.slice(0, expected.length)).toEqual(expected);
    const g = await genesis(await k256());
    await mustPost(plc.url, g.did, g.op);
    const after = await s.until(expected.length + 1);
    expect(after[expected.length]).toMatchObject({ cid: g.cid, seq: expected.at(-1).seq + 1 });
    s.ws.close();
  });

  test("a future cursor closes with FutureCursor", async () => {
    const s = openStream("?cursor=99999999");
    const closed = await s.closed;
    expect(closed.reason).toBe("FutureCursor");
  });
});

describe("stream cursor age", () => {
  test("a cursor whose next op is older than 7 days closes with OutdatedCursor", async () => {
    const { readFileSync } = await import("node:fs");
    const { importLog, startPlcServer } = await import("../../plc/index.ts");
    const { tempDbPath } = await import("./_support.ts");
    const { dbPath } = tempDbPath();
    const vector = new URL("../fixtures/plc/audit_log/valid/log_bskyapp.json", import.meta.url);
    await importLog(dbPath, readFileSync(vector, "utf8"));
    const server = await startPlcServer({ port: 0, host: "127.0.0.1", dbPath, rateLimitsEnabled: false, trustProxy: 0, dev: true, version: "t" });
    try {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/export/stream?cursor=0`);
      const closed = await new Promise<{ reason: string }>((resolve) => ws.addEventListener("close", (e) => resolve(e)));
      expect(closed.reason).toBe("OutdatedCursor");
    } finally {
      await server.stop();
    }
  });
});
