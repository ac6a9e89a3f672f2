// Firehose figures: replay events/s from cursor 0 (10 000 events), live commit→frame latency with 1 and 50 subscribers, RSS.
import { benchUser, figure, header, rssMiB, startBenchPds, xrpcCall } from "./_util.ts";
// app.bsky.feed.post keys by TID (validated, spec 10 §7): stable TID-shaped keys for named records
import { rk } from "../test/_support/rkey.ts";

const EVENTS = Number(process.env.BENCH_FIREHOSE_EVENTS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_FIREHOSE_SAMPLES ?? 300);

function open(url: string, cursor?: number): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/xrpc/com.atproto.sync.subscribeRepos${cursor === undefined ? "" : `?cursor=${cursor}`}`);
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("websocket failed"));
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** One write per sample; latency = frame arrival on every subscriber − just before the HTTP write. */
async function liveLatency(url: string, token: string, did: string, subs: WebSocket[], tag: string) {
  const latencies: number[] = [];
  const roundTrips: number[] = [];
  let pending: { left: number; start: number; done: () => void } | undefined;
  for (const ws of subs) {
    ws.onmessage = () => {
      if (!pending) return;
      latencies.push(performance.now() - pending.start);
      if (--pending.left === 0) pending.done();
    };
  }
  for (let i = 0; i < SAMPLES; i++) {
    const arrived = new Promise<void>((done) => (pending = { left: subs.length, start: performance.now(), done }));
    const start = pending!.start;
    await xrpcCall(url, "com.atproto.repo.createRecord", token, { repo: did, collection: "app.bsky.feed.post", rkey: rk(`${tag}${i}`), record: { $type: "app.bsky.feed.post", text: `live ${i}`, createdAt: new Date().toISOString() } });
    roundTrips.push(performance.now() - start);
    await arrived;
    pending = undefined;
  }
  return { latencies, roundTrips };
}

export async function benchFirehose(): Promise<void> {
  header("ofpds serve --dev: firehose");
  const pds = await startBenchPds("firehose");
  const { url, proc } = pds;
  try {
    const { did, accessJwt } = await benchUser(url);

    // fill the log: single-record applyWrites are the cheapest way to make one #commit each
    const now = new Date().toISOString();
    const batch = 8;
    for (let i = 0; i < EVENTS; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, EVENTS - i) }, (_, j) => xrpcCall(url, "com.atproto.repo.createRecord", accessJwt, { repo: did, collection: "app.bsky.feed.post", rkey: rk(`r${i + j}`), record: { $type: "app.bsky.feed.post", text: `replay ${i + j}`, createdAt: now } })));
    }

    const replayWs = await open(url, 0);
    let frames = 0;
    let bytes = 0;
    const start = performance.now();
    await new Promise<void>((done) => {
      replayWs.onmessage = (e) => {
        bytes += (e.data as ArrayBuffer).byteLength;
        if (++frames >= EVENTS) done();
      };
    });
    const ms = performance.now() - start;
    replayWs.close();
    figure("replay from cursor 0", (frames / ms) * 1000, "events/s", `${frames} events, ${(bytes / 1048576).toFixed(1)} MiB`);

    for (const n of [1, 50]) {
      const subs = await Promise.all(Array.from({ length: n }, () => open(url)));
      const { latencies, roundTrips } = await liveLatency(url, accessJwt, did, subs, `l${n}_`);
      figure(`live commit→frame median, ${n} subscriber(s)`, pct(latencies, 50), "ms", `${SAMPLES} writes`);
      figure(`live commit→frame p99, ${n} subscriber(s)`, pct(latencies, 99), "ms");
      figure(`  createRecord round trip median (${n})`, pct(roundTrips, 50), "ms");
      if (n === 50) {
        Bun.gc(true);
        await Bun.sleep(500);
        figure("server RSS with 50 subscribers attached", rssMiB(proc.pid), "MiB");
      }
      for (const ws of subs) ws.close();
    }
  } finally {
    await pds.stop();
  }
}

if (import.meta.main) await benchFirehose();
