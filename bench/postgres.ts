// PostgreSQL figures (issue 15) beside SQLite: sequential createRecord, concurrent createRecord across distinct repos,
// firehose replay; then two `serve` processes in cluster mode on one database (aggregate createRecord/s).
import postgres from "postgres";
import { join } from "node:path";
import { BIN, figure, freePort, header, runConcurrent, startBenchPds, tempDir, waitHealthy, xrpcCall } from "./_util.ts";
import { rk } from "../test/_support/rkey.ts";

const BASE = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SEQUENTIAL = Number(process.env.BENCH_PG_CREATES ?? 1000);
const SPREAD = Number(process.env.BENCH_PG_SPREAD ?? 2000);
const USERS = 8;
const PASSWORD = "Bench-password-2026";

async function freshDatabase(name: string): Promise<string> {
  const sql = postgres(BASE, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql.unsafe(`CREATE DATABASE ${name}`);
  await sql.end();
  const u = new URL(BASE);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const sql = postgres(BASE, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await sql.end();
}

/** `n` open-registration users on `url`, each with an access token. */
async function users(url: string, n: number, tag: string): Promise<Array<{ did: string; accessJwt: string }>> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const a = await xrpcCall(url, "com.atproto.server.createAccount", undefined, { handle: `${tag}${i}.test`, email: `${tag}${i}@example.org`, password: PASSWORD });
    out.push({ did: a.did as string, accessJwt: a.accessJwt as string });
  }
  return out;
}

const post = (url: string, u: { did: string; accessJwt: string }, key: string) =>
  xrpcCall(url, "com.atproto.repo.createRecord", u.accessJwt, { repo: u.did, collection: "app.bsky.feed.post", rkey: rk(key), record: { $type: "app.bsky.feed.post", text: key, createdAt: new Date().toISOString() } });

async function writeFigures(engine: string, urls: string[], label: string): Promise<void> {
  const us = await users(urls[0]!, USERS, `w${engine.replace(/\W/g, "")}`);
  let start = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await post(urls[i % urls.length]!, us[0]!, `s${i}`);
  figure(`${label}: sequential createRecord`, (SEQUENTIAL / (performance.now() - start)) * 1000, "writes/s", `${SEQUENTIAL} writes, 1 client`);
  const ms = await runConcurrent(SPREAD, 16, async (i) => void (await post(urls[i % urls.length]!, us[i % USERS]!, `p${i}`)));
  figure(`${label}: concurrent createRecord`, (SPREAD / ms) * 1000, "writes/s", `${SPREAD} writes, 16 clients, ${USERS} repos`);
  start = performance.now();
  const frames = await replay(urls[0]!);
  figure(`${label}: firehose replay from cursor 0`, (frames / (performance.now() - start)) * 1000, "events/s", `${frames} events`);
}

/** Reads the whole log from cursor 0; resolves with the frame count once no frame came for 300 ms. */
async function replay(url: string): Promise<number> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/xrpc/com.atproto.sync.subscribeRepos?cursor=0`);
  ws.binaryType = "arraybuffer";
  let frames = 0;
  let last = performance.now();
  ws.onmessage = () => {
    frames++;
    last = performance.now();
  };
  await new Promise((r) => (ws.onopen = r));
  while (performance.now() - last < 300) await Bun.sleep(50);
  ws.close();
  return frames;
}

const common = { INVITE_REQUIRED: "false", APPROVAL_REQUIRED: "false" };

export async function benchPostgres(): Promise<void> {
  try {
    const probe = postgres(BASE, { max: 1, connect_timeout: 3, onnotice: () => {} });
    await probe`SELECT 1`;
    await probe.end();
  } catch {
    console.log(`\n## PostgreSQL: not reachable at ${new URL(BASE).host}; skipped`);
    return;
  }
  header("SQLite and PostgreSQL side by side (one process each), then two processes in cluster mode");
  const sqlite = await startBenchPds("sqlite-side", common);
  try {
    await writeFigures("sqlite", [sqlite.url], "SQLite, 1 process");
  } finally {
    await sqlite.stop();
  }
  const single = await freshDatabase("ofpds_bench_single");
  const pg = await startBenchPds("pg-single", { ...common, DATABASE_URL: single });
  try {
    await writeFigures("pg", [pg.url], "PostgreSQL, 1 process");
  } finally {
    await pg.stop();
    await dropDatabase("ofpds_bench_single");
  }

  // cluster mode: a directory, then two processes with one config (service URL and secrets) and one BLOB_DIR
  const root = tempDir("ofpds-bench-cluster-");
  const plcPort = await freePort();
  const plc = Bun.spawn([BIN, "plc", "--port", String(plcPort), "--data-dir", join(root, "plc")], { stdout: "ignore", stderr: "ignore", env: { PATH: process.env.PATH ?? "" } });
  await waitHealthy(`http://127.0.0.1:${plcPort}/_health`);
  const url = await freshDatabase("ofpds_bench_cluster");
  const env = {
    ...common, DATABASE_URL: url, CLUSTER_MODE: "true", BLOB_DIR: join(root, "blobs"), PLC_URL: `http://127.0.0.1:${plcPort}`,
    PDS_SERVICE_URL: "http://localhost:2583", AUTH_JWT_SECRET: "bench-cluster-jwt-secret-0123456789abcdef", KEY_ENCRYPTION_SECRET: "bench-cluster-key-secret-0123456789abcdef",
  };
  const a = await startBenchPds("cluster-a", env);
  const b = await startBenchPds("cluster-b", env);
  try {
    await writeFigures("cluster", [a.url, b.url], "PostgreSQL, 2 processes (cluster)");
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    plc.kill("SIGTERM");
    await plc.exited;
    await dropDatabase("ofpds_bench_cluster");
  }
}

if (import.meta.main) await benchPostgres();
