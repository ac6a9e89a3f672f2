// Repo figures (issue 3): sequential createRecord/s, applyWrites records/s, concurrent getRecord/s, getRepo records/s, RSS.
import { benchUser, figure, header, rssMiB, runConcurrent, startBenchPds, xrpcCall } from "./_util.ts";
// app.bsky.feed.post keys by TID (validated, spec 10 §7): stable TID-shaped keys for named records
import { rk } from "../test/_support/rkey.ts";

const CREATES = Number(process.env.BENCH_CREATES ?? 2000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 50); // × 200 records
const READS = Number(process.env.BENCH_READS ?? 20000);

export async function benchRepo(): Promise<void> {
  header("ofpds serve --dev: repo writes and reads");
  const pds = await startBenchPds("repo");
  const { url, proc } = pds;
  try {
    await Bun.sleep(1000);
    figure("idle RSS (with bootstrap admin)", rssMiB(proc.pid), "MiB");
    const { did, accessJwt } = await benchUser(url);
    const now = new Date().toISOString();

    let start = performance.now();
    for (let i = 0; i < CREATES; i++) {
      await xrpcCall(url, "com.atproto.repo.createRecord", accessJwt, { repo: did, collection: "app.bsky.feed.post", rkey: rk(`c${i}`), record: { $type: "app.bsky.feed.post", text: `post ${i}`, createdAt: now } });
    }
    figure("sequential createRecord", (CREATES / (performance.now() - start)) * 1000, "writes/s", `${CREATES} writes, 1 client`);

    start = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      await xrpcCall(url, "com.atproto.repo.applyWrites", accessJwt, {
        repo: did,
        writes: Array.from({ length: 200 }, (_, i) => ({ $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", rkey: rk(`b${b}-${i}`), value: { $type: "app.bsky.feed.post", text: `batch ${b} ${i}`, createdAt: now } })),
      });
    }
    const total = BATCHES * 200;
    figure("applyWrites (200 per call)", (total / (performance.now() - start)) * 1000, "records/s", `${total} records`);

    const readMs = await runConcurrent(READS, 16, async (i) => {
      const res = await fetch(`${url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=${rk(`c${i % CREATES}`)}`);
      if (res.status !== 200) throw new Error(`getRecord → ${res.status}`);
      await res.arrayBuffer();
    });
    figure("getRecord (16 clients)", (READS / readMs) * 1000, "req/s", `${READS} requests`);

    const records = CREATES + total + 1;
    start = performance.now();
    const car = await (await fetch(`${url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer();
    figure("sync.getRepo export", (records / (performance.now() - start)) * 1000, "records/s", `${records} records, ${(car.byteLength / 1048576).toFixed(1)} MiB CAR`);
    figure("RSS after the load", rssMiB(proc.pid), "MiB");
  } finally {
    await pds.stop();
  }
}

if (import.meta.main) await benchRepo();
