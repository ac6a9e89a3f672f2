// Repo figures (issue 3): sequential createRecord/s, applyWrites records/s, concurrent getRecord/s, getRepo records/s, RSS.
import { BIN, figure, freePort, header, rssMiB, runConcurrent, tempDir, waitHealthy } from "./_util.ts";

const CREATES = Number(process.env.BENCH_CREATES ?? 2000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 50); // × 200 records
const READS = Number(process.env.BENCH_READS ?? 20000);

async function call(url: string, nsid: string, token: string | undefined, body?: unknown, params?: Record<string, string>) {
  const qs = params ? `?${new URLSearchParams(params)}` : "";
  const res = await fetch(`${url}/xrpc/${nsid}${qs}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${nsid} → ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

export async function benchRepo(): Promise<void> {
  header("ofpds serve --dev: repo writes and reads");
  const port = await freePort();
  const plcPort = await freePort();
  const password = "Bench-password-2026";
  const proc = Bun.spawn([BIN, "serve", "--dev", "--port", String(port), "--data-dir", tempDir("ofpds-bench-repo-")], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      PLC_PORT: String(plcPort),
      RATE_LIMITS_ENABLED: "false",
      BOOTSTRAP_ADMIN_EMAIL: "admin@example.org",
      BOOTSTRAP_ADMIN_HANDLE: "admin",
      BOOTSTRAP_ADMIN_PASSWORD: password,
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(`${url}/xrpc/_health`);
    await Bun.sleep(1000);
    figure("idle RSS (with bootstrap admin)", rssMiB(proc.pid), "MiB");
    const admin = await call(url, "com.atproto.server.createSession", undefined, { identifier: "admin", password });
    const invite = await call(url, "net.openfederation.invite.create", admin.accessJwt, { maxUses: 1 });
    const reg = await call(url, "net.openfederation.account.register", undefined, { handle: "bench", email: "bench@example.org", password, inviteCode: invite.code });
    await call(url, "net.openfederation.account.approve", admin.accessJwt, { did: reg.did });
    const { accessJwt } = await call(url, "com.atproto.server.createSession", undefined, { identifier: "bench", password });
    const did: string = reg.did;
    const now = new Date().toISOString();

    let start = performance.now();
    for (let i = 0; i < CREATES; i++) {
      await call(url, "com.atproto.repo.createRecord", accessJwt, { repo: did, collection: "app.bsky.feed.post", rkey: `c${i}`, record: { $type: "app.bsky.feed.post", text: `post ${i}`, createdAt: now } });
    }
    figure("sequential createRecord", (CREATES / (performance.now() - start)) * 1000, "writes/s", `${CREATES} writes, 1 client`);

    start = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      await call(url, "com.atproto.repo.applyWrites", accessJwt, {
        repo: did,
        writes: Array.from({ length: 200 }, (_, i) => ({ $type: "com.atproto.repo.applyWrites#create", collection: "app.bsky.feed.post", rkey: `b${b}-${i}`, value: { $type: "app.bsky.feed.post", text: `batch ${b} ${i}`, createdAt: now } })),
      });
    }
    const total = BATCHES * 200;
    figure("applyWrites (200 per call)", (total / (performance.now() - start)) * 1000, "records/s", `${total} records`);

    const readMs = await runConcurrent(READS, 16, async (i) => {
      const res = await fetch(`${url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=c${i % CREATES}`);
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
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

if (import.meta.main) await benchRepo();
