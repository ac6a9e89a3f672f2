// Cluster mode (issue 15): two `ofpds serve` processes on one PostgreSQL and one BLOB_DIR, written through both at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AtpAgent } from "@atproto/api";
import { readCarWithRoot, verifyRepo } from "@atproto/repo";
import { freePort, runCli, spawnOfpds, tempDir, waitFor } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { databaseUrlFor, onPostgres } from "../_support/db.ts";
import { call, ok } from "../_support/xrpc.ts";
import { FirehoseClient } from "../firehose/_client.ts";

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "root@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123" };

describe.skipIf(!onPostgres)("two serve processes sharing one PostgreSQL", () => {
  const root = tempDir("ofpds-cluster-");
  let plc: ReturnType<typeof spawnOfpds>;
  let A: RunningPds;
  let B: RunningPds;
  let shared: Record<string, string>;
  const clockFile = join(root.path, "clock-ms");

  beforeAll(async () => {
    const plcPort = await freePort();
    plc = spawnOfpds(["plc", "--port", String(plcPort), "--data-dir", join(root.path, "plc")]);
    const plcUrl = `http://127.0.0.1:${plcPort}`;
    await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
    writeFileSync(clockFile, "0");
    // the same config and secrets on both, as an operator would deploy them; each process has its own DATA_DIR
    shared = {
      DATABASE_URL: databaseUrlFor(join(root.path, "db")),
      CLUSTER_MODE: "true",
      BLOB_DIR: join(root.path, "blobs"),
      PLC_URL: plcUrl,
      PDS_SERVICE_URL: "http://localhost:2583",
      AUTH_JWT_SECRET: "cluster-test-jwt-secret-0123456789abcdef",
      KEY_ENCRYPTION_SECRET: "cluster-test-key-secret-0123456789abcdef",
      INVITE_REQUIRED: "false",
      APPROVAL_REQUIRED: "false",
      RATE_LIMITS_ENABLED: "false",
      OFPDS_DEV_CLOCK_FILE: clockFile,
      ...ADMIN,
    };
    // started together: one migrates the empty database while the other waits, and one bootstraps the admin
    [A, B] = await Promise.all([startPds(shared, { dataDir: join(root.path, "a") }), startPds(shared, { dataDir: join(root.path, "b") })]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([A?.stop(), B?.stop()]);
    plc?.proc.kill("SIGTERM");
    await plc?.proc.exited;
    root.cleanup();
  });

  test("200 concurrent writes to one repo split across both land; one verified repo, one head, one gapless firehose", async () => {
    const agentA = new AtpAgent({ service: A.url });
    await agentA.createAccount({ handle: "alice.test", email: "alice@example.org", password: "Alice-password-123" });
    const agentB = new AtpAgent({ service: B.url });
    await agentB.login({ identifier: "alice.test", password: "Alice-password-123" });
    const did = agentA.session!.did;

    // a firehose reader on A from the start of the log: it must carry B's commits too, live
    const fh = new FirehoseClient(A.url, 0);
    await fh.opened;

    const writes = Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? agentB : agentA).com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: `post ${i}`, createdAt: new Date().toISOString() } }),
    );
    const results = await Promise.all(writes);
    expect(results.every((r) => r.success)).toBe(true);

    const heads = await Promise.all([A, B].map(async (s) => (await ok(call(s.url, "com.atproto.sync.getLatestCommit", { params: { did } }))).cid as string));
    expect(heads[0]).toBe(heads[1]!);
    for (const s of [A, B]) {
      const car = new Uint8Array(await (await fetch(`${s.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
      const { root: commitCid, blocks } = await readCarWithRoot(car);
      expect(commitCid.toString()).toBe(heads[0]!);
      const verified = await verifyRepo(blocks, commitCid, did);
      expect(verified.creates.filter((c) => c.collection === "app.bsky.feed.post").length).toBe(200);
    }

    const frames = await fh.until((f) => f.filter((x) => x.t === "#commit" && x.body.repo === did).length >= 201, 30_000);
    fh.ws.close();
    // strictly increasing and gapless, in the one order the database assigned, and ending at the shared head
    const seqs = frames.filter((f) => f.op === 1).map((f) => f.body.seq as number);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    const last = frames.filter((x) => x.t === "#commit" && x.body.repo === did).at(-1)!;
    expect(last.body.commit.toString()).toBe(heads[0]!);
  }, 120_000);

  test("a blob uploaded through one process is served by the other", async () => {
    const agent = new AtpAgent({ service: A.url });
    await agent.createAccount({ handle: "bob.test", email: "bob@example.org", password: "Bob-password-1234" });
    const bytes = new TextEncoder().encode("cluster blob ".repeat(100));
    const up = await agent.com.atproto.repo.uploadBlob(bytes, { encoding: "text/plain" });
    const cid = up.data.blob.ref.toString();
    await agent.com.atproto.repo.createRecord({ repo: agent.session!.did, collection: "com.example.cluster.file", record: { $type: "com.example.cluster.file", file: up.data.blob } });
    const got = await fetch(`${B.url}/xrpc/com.atproto.sync.getBlob?did=${agent.session!.did}&cid=${cid}`);
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
  });

  test("a refresh token rotated on one process and reused on the other (after the grace) revokes the session everywhere", async () => {
    const agent = new AtpAgent({ service: A.url });
    await agent.createAccount({ handle: "carol.test", email: "carol@example.org", password: "Carol-password-12" });
    const first = agent.session!.refreshJwt;
    const rotated = await ok(call(A.url, "com.atproto.server.refreshSession", { token: first, body: {} }));
    // past the 10 s grace on the shared clock: a reuse is now theft
    writeFileSync(clockFile, String(11_000));
    const reuse = await call(B.url, "com.atproto.server.refreshSession", { token: first, body: {} });
    expect(reuse.status).toBe(401);
    // the family is revoked on both processes: the rotated pair is refused on A
    const after = await call(A.url, "com.atproto.server.refreshSession", { token: rotated.refreshJwt, body: {} });
    expect(after.status).toBe(401);
    const access = await call(A.url, "com.atproto.server.getSession", { token: rotated.accessJwt });
    expect(access.status).toBe(401);
  });

  test("the background jobs run on exactly one process (the holder of the jobs lock)", async () => {
    await waitFor(async () => [A, B].some((s) => s.logs().includes("cluster leader")), 10_000, "a jobs leader");
    expect([A, B].filter((s) => s.logs().includes("cluster leader")).length).toBe(1);
  });

  test("a server without CLUSTER_MODE on a database another server uses exits 1 naming the database", async () => {
    const { CLUSTER_MODE: _, ...single } = shared;
    const r = await runCli(["serve", "--dev", "--data-dir", join(root.path, "c"), "--port", String(await freePort())], { env: { ...single, PLC_PORT: String(await freePort()) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already using the database postgres://postgres@127.0.0.1:5432/");
    expect(r.stderr).not.toContain("cluster-test");
  });
});

describe("cluster mode is refused where it cannot work", () => {
  test("CLUSTER_MODE=true on SQLite → exit 78 naming the setting", async () => {
    const dir = tempDir("ofpds-cluster-sqlite-");
    const r = await runCli(["serve", "--dev", "--data-dir", dir.path, "--port", "0"], { env: { CLUSTER_MODE: "true", OFPDS_TEST_SQLITE: "1", PLC_URL: "http://127.0.0.1:9" } });
    dir.cleanup();
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("CLUSTER_MODE=true needs PostgreSQL");
  });
});
