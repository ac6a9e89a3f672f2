// `ofpds backup create` / `backup restore` end to end: a backup taken while writes run restores into a fresh data dir,
// the restored server serves the same repos (same heads, CARs verify), sends #sync once and its firehose continues
// above the old sequence numbers; every refused restore (locked, non-empty, corrupt, newer schema, no confirmation)
// exits with its code and leaves the data dir exactly as it was.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database as Sqlite } from "bun:sqlite";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { verifyRepoCar } from "@atproto/repo";
import { runCli as runAnyCli, runOnTty as runOnAnyTty, tempDirs } from "../_support/process.ts";
import { startPds as startAnyPds, type RunningPds } from "../_support/pds.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { adminEnv, adminToken, createPost, registerApproved, type User } from "../firehose/_support.ts";
import { FirehoseClient } from "../firehose/_client.ts";
import { SCHEMA_VERSION } from "../../src/migrations.ts";
import { databaseUrlFor, TEST_DATABASE_URL } from "../_support/db.ts";

setDefaultTimeout(120_000);
const dir = tempDirs("ofpds-backup-");

// Every process of this file stays on SQLite unless a test names a database itself, also in the PostgreSQL pass (an
// empty DATABASE_URL is "unset" to the config, and test/_support leaves an env that names one alone): the cross-engine
// tests at the end set DATABASE_URL explicitly.
const SQLITE = { DATABASE_URL: "" };
const runCli = (args: string[], opts: { env?: Record<string, string> } = {}) => runAnyCli(args, { ...opts, env: { ...SQLITE, ...opts.env } });
const runOnTty = (args: string[], prompt: string, keys: string) => runOnAnyTty(args, prompt, keys, SQLITE);
const startPds = (env: Record<string, string>, opts: { dataDir: string }) => startAnyPds({ ...SQLITE, ...env }, opts);

const sh = (cmd: string[]) => {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
};
const sha256 = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

/** Every file under `root` with its SHA-256: the "nothing was touched" fingerprint. */
function fingerprint(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(root)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(root, p)] = sha256(p);
    }
  };
  walk(root);
  return out;
}
const siblings = (p: string) => readdirSync(dirname(p)).filter((n) => n.startsWith(`${p.split("/").pop()}.`));

const restore = (archive: string, dataDir: string, extra: string[] = ["--confirm", "localhost"]) =>
  runCli(["backup", "restore", archive, "--dev", "--data-dir", dataDir, "--json", ...extra]);

function extract(archive: string): string {
  const to = dir();
  sh(["tar", "xzf", archive, "-C", to]);
  return to;
}
function repack(from: string): string {
  const out = join(dir(), "repacked.tar.gz");
  sh(["tar", "--format=pax", "-czf", out, "-C", from, "."]);
  return out;
}

let pds: RunningPds;
let admin: string;
let alice: User;
let bob: User;
let archive: string;
let manifest: any;
let backupRoots: Array<{ did: string; commit_cid: string; rev: string }>;
let blob: { cid: string; bytes: Uint8Array };
let restoredDir: string;
let community: string;
let snapshotFiles: string[];
let plainArchive: string;

beforeAll(async () => {
  pds = await startPds(adminEnv(), { dataDir: join(dir(), "data") });
  admin = await adminToken(pds.url);
  alice = await registerApproved(pds.url, admin, "alice");
  bob = await registerApproved(pds.url, admin, "bob");
  for (let i = 0; i < 3; i++) await createPost(pds.url, alice, `a${i}`);
  const bytes = crypto.getRandomValues(new Uint8Array(5000));
  const up = await fetch(`${pds.url}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { "content-type": "image/png", authorization: `Bearer ${alice.token}` }, body: bytes });
  const ref = (await up.json()).blob;
  await ok(xrpc(pds.url, "com.atproto.repo.createRecord", { token: alice.token, body: { repo: alice.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "with image", createdAt: new Date().toISOString(), embed: { $type: "app.bsky.embed.images", images: [{ alt: "", image: ref }] } } } }));
  blob = { cid: ref.ref.$link, bytes };
  // a community with a finished export snapshot under <DATA_DIR>/exports
  community = (await ok(xrpc(pds.url, "net.openfederation.community.create", { token: alice.token, body: { handle: "garden", didMethod: "plc" } }))).did;
  await ok(xrpc(pds.url, "net.openfederation.admin.createExportSchedule", { token: admin, body: { communityDid: community, interval: "daily" } }));
  for (let i = 0; i < 2; i++) expect((await fetch(`${pds.url}/_dev/jobs/export-scheduler`, { method: "POST" })).status).toBe(200);
  snapshotFiles = readdirSync(join(pds.dataDir, "exports", community)).filter((n) => n.endsWith(".car"));
  expect(snapshotFiles.length).toBe(1);
});
afterAll(async () => {
  await pds?.stop();
});

describe("backup create while writes run, restore into a fresh data dir", () => {
  test("the archive: 0600, a manifest whose SHA-256s verify, a JSON-lines file per table, no secrets by default", async () => {
    // writes keep landing while the backup runs
    let writing = true;
    const writes = (async () => {
      let i = 0;
      while (writing || i < 5) await createPost(pds.url, bob, `b${i++}`);
      return i;
    })();
    const plain = await runCli(["backup", "create", "--dev", "--data-dir", pds.dataDir, "--json"]);
    const r = await runCli(["backup", "create", "--dev", "--data-dir", pds.dataDir, "--include-secrets", "--output", dir(), "--json"]);
    writing = false;
    expect(await writes).toBeGreaterThanOrEqual(5);
    expect(plain.code).toBe(0);
    expect(r.code).toBe(0);
    expect(plain.stderr).toContain("usable only with the same KEY_ENCRYPTION_SECRET");
    const out = JSON.parse(r.stdout);
    archive = out.archive;
    expect(archive).toMatch(/ofpds-backup-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    plainArchive = JSON.parse(plain.stdout).archive;
    expect(plainArchive.startsWith(join(pds.dataDir, "backups") + "/")).toBe(true);
    expect(statSync(plainArchive).mode & 0o777).toBe(0o600);

    const x = extract(archive);
    manifest = JSON.parse(readFileSync(join(x, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ format: "ofpds-backup", formatVersion: 1, schemaVersion: SCHEMA_VERSION, includesSecrets: true, serviceDid: `did:web:localhost%3A${pds.port}` });
    expect(manifest.firehoseSeq).toBeGreaterThan(0);
    for (const f of manifest.files) {
      expect(statSync(join(x, f.path)).size).toBe(f.size);
      expect(sha256(join(x, f.path))).toBe(f.sha256);
    }
    const paths = manifest.files.map((f: any) => f.path);
    const db = new Sqlite(join(x, "db/ofpds.sqlite"), { readonly: true });
    const tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_migrations'").all().map((t: any) => t.name);
    for (const t of tables) {
      expect(paths).toContain(`tables/${t}.jsonl`);
      const lines = readFileSync(join(x, `tables/${t}.jsonl`), "utf8").split("\n").filter(Boolean);
      expect(lines.length).toBe(manifest.tables[t]);
      expect((db.query(`SELECT count(*) AS n FROM "${t}"`).get() as any).n).toBe(manifest.tables[t]);
    }
    // one consistent snapshot: the dump's newest event is the manifest's seq, and the server went on past it
    expect((db.query("SELECT MAX(seq) AS s FROM repo_events").get() as any).s).toBe(manifest.firehoseSeq);
    backupRoots = db.query("SELECT did, commit_cid, rev FROM repo_roots ORDER BY did").all() as any;
    db.close();
    expect(backupRoots.length).toBe(4);
    for (const f of snapshotFiles) {
      const entry = manifest.files.find((m: any) => m.path === `exports/${community}/${f}`);
      expect(entry?.sha256).toBe(sha256(join(pds.dataDir, "exports", community, f)));
    }
    expect(paths.some((p: string) => p.startsWith("blobs/") && p.endsWith(blob.cid))).toBe(true);
    expect(paths).toContain("plc/plc.sqlite");
    expect(paths).toContain("secrets/secrets.json");
    const px = extract(plainArchive);
    expect(JSON.parse(readFileSync(join(px, "manifest.json"), "utf8")).includesSecrets).toBe(false);
    expect(existsSync(join(px, "secrets"))).toBe(false);
    expect(JSON.parse(readFileSync(join(pds.dataDir, "last-backup.json"), "utf8")).archive).toBe(archive);
  });

  test("restore into a fresh data dir, then serve: same heads, CARs verify, blob served, one #sync per active repo above the old seq", async () => {
    const live = new Sqlite(join(pds.dataDir, "ofpds.sqlite"), { readonly: true });
    const liveMax = (live.query("SELECT MAX(seq) AS s FROM repo_events").get() as any).s as number;
    live.close();
    expect(liveMax).toBeGreaterThan(manifest.firehoseSeq); // writes went on after the snapshot
    expect(await pds.stop()).toBe(0);

    restoredDir = join(dir(), "restored");
    const r = await restore(archive, restoredDir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ dataDir: restoredDir, backupSchemaVersion: SCHEMA_VERSION, schemaVersion: SCHEMA_VERSION, firehoseSeqFloor: manifest.firehoseSeq, files: manifest.files.length });
    expect(out.tables).toEqual(manifest.tables);
    expect(statSync(restoredDir).mode & 0o777).toBe(0o700);
    expect(siblings(restoredDir)).toEqual([]); // no staging left behind

    const restored = await startPds(adminEnv(), { dataDir: restoredDir });
    try {
      for (const root of backupRoots) {
        const head = await ok(xrpc(restored.url, "com.atproto.sync.getLatestCommit", { params: { did: root.did } }));
        expect(head).toEqual({ cid: root.commit_cid, rev: root.rev });
        const car = new Uint8Array(await (await fetch(`${restored.url}/xrpc/com.atproto.sync.getRepo?did=${root.did}`)).arrayBuffer());
        const verified = await verifyRepoCar(car, root.did, await plcSigningKey(restored.plcUrl, root.did));
        expect(verified.commit.rev).toBe(root.rev);
      }
      for (const f of snapshotFiles) expect(sha256(join(restoredDir, "exports", community, f))).toBe(sha256(join(pds.dataDir, "exports", community, f)));
      const got = await fetch(`${restored.url}/xrpc/com.atproto.sync.getBlob?did=${alice.did}&cid=${blob.cid}`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(blob.bytes))).toBe(true);

      const fh = new FirehoseClient(restored.url, manifest.firehoseSeq);
      await fh.opened;
      const syncs = (await fh.until((f) => f.filter((x) => x.t === "#sync").length >= 4)).filter((x) => x.t === "#sync");
      expect(syncs.map((s) => s.body.did).sort()).toEqual(backupRoots.map((r) => r.did).sort());
      for (const s of syncs) expect(s.body.seq).toBeGreaterThan(manifest.firehoseSeq);
      const session = await ok(xrpc(restored.url, "com.atproto.server.createSession", { body: { identifier: "alice", password: "Pw-alice-2026-long" } }));
      await createPost(restored.url, { did: alice.did, token: session.accessJwt }, "after");
      const commit = (await fh.until((f) => f.some((x) => x.t === "#commit"))).find((x) => x.t === "#commit")!;
      expect(commit.body.seq).toBeGreaterThan(Math.max(...syncs.map((s) => s.body.seq)));
      fh.ws.close();
    } finally {
      expect(await restored.stop()).toBe(0);
    }
    // the follow-up ran once: a second start sends no more #sync
    const again = await startPds(adminEnv(), { dataDir: restoredDir });
    await again.stop();
    const db = new Sqlite(join(restoredDir, "ofpds.sqlite"), { readonly: true });
    expect((db.query("SELECT count(*) AS n FROM repo_events WHERE type = '#sync' AND seq > ?").get(manifest.firehoseSeq) as any).n).toBe(4);
    expect(db.query("SELECT value FROM server_meta WHERE key = 'restore_pending'").all()).toEqual([]);
    db.close();
  });
});

describe("refused restores change nothing", () => {
  test("while a server holds the lock → exit 1 DataDirLocked (even with --force)", async () => {
    const running = await startPds(adminEnv(), { dataDir: restoredDir });
    try {
      const before = readdirSync(restoredDir).sort();
      for (const extra of [["--confirm", "localhost"], ["--confirm", "localhost", "--force"]]) {
        const r = await restore(archive, restoredDir, extra);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(JSON.parse(r.stderr)).toMatchObject({ error: "DataDirLocked", exitCode: 1 });
      }
      expect(readdirSync(restoredDir).sort()).toEqual(before);
      expect(siblings(restoredDir)).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  test("a non-empty data dir without --force → exit 5 DataDirNotEmpty; no confirmation → 2; wrong --confirm → 2; no archive → 4", async () => {
    const before = fingerprint(restoredDir);
    const notEmpty = await restore(archive, restoredDir);
    expect(notEmpty.code).toBe(5);
    expect(JSON.parse(notEmpty.stderr)).toMatchObject({ error: "DataDirNotEmpty", exitCode: 5 });
    expect(JSON.parse(notEmpty.stderr).message).toContain("--force");
    const unconfirmed = await restore(archive, restoredDir, ["--force"]);
    expect(unconfirmed.code).toBe(2);
    expect(JSON.parse(unconfirmed.stderr).message).toContain("--confirm localhost");
    const wrong = await restore(archive, restoredDir, ["--force", "--confirm", "pds.example.org"]);
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stderr).message).toContain("does not match this server's hostname localhost");
    const missing = await restore(join(dir(), "nope.tar.gz"), restoredDir, ["--force", "--confirm", "localhost"]);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: "ArchiveNotFound" });
    expect(fingerprint(restoredDir)).toEqual(before);
    expect(siblings(restoredDir)).toEqual([]);
  });

  test("a corrupted file → exit 1 naming it; a truncated archive → exit 1; a newer schema → exit 78; the target untouched", async () => {
    const target = join(dir(), "target");
    const x = extract(archive);
    const f = join(x, "tables/records.jsonl");
    const text = readFileSync(f, "utf8");
    writeFileSync(f, text.replace("app.bsky.feed.post", "app.bsky.feed.pots"));
    const corrupt = await restore(repack(x), target);
    expect(corrupt.code).toBe(1);
    expect(JSON.parse(corrupt.stderr)).toEqual({ error: "BackupCorrupt", exitCode: 1, message: "checksum error: tables/records.jsonl does not match its SHA-256 in the manifest" });
    expect(existsSync(target)).toBe(false);
    expect(siblings(target)).toEqual([]);

    const bytes = readFileSync(archive);
    const truncated = join(dir(), "truncated.tar.gz");
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cut = await restore(truncated, target);
    expect(cut.code).toBe(1);
    expect(JSON.parse(cut.stderr).error).toBe("BackupCorrupt");
    expect(existsSync(target)).toBe(false);

    const y = extract(archive);
    const m = JSON.parse(readFileSync(join(y, "manifest.json"), "utf8"));
    m.schemaVersion = SCHEMA_VERSION + 1;
    m.migrations.push(SCHEMA_VERSION + 1);
    writeFileSync(join(y, "manifest.json"), JSON.stringify(m));
    const newer = await restore(repack(y), target);
    expect(newer.code).toBe(78);
    expect(JSON.parse(newer.stderr)).toMatchObject({ error: "SchemaTooNew", exitCode: 78 });
    expect(JSON.parse(newer.stderr).message).toContain("upgrade ofpds");
    expect(existsSync(target)).toBe(false);
    expect(siblings(target)).toEqual([]);

    // an existing empty target stays empty (no lock file of ours left either)
    mkdirSync(target, { mode: 0o700 });
    expect((await restore(repack(x), target)).code).toBe(1);
    expect(readdirSync(target)).toEqual([]);
  });

  test("an archive without secrets: a wrong KEY_ENCRYPTION_SECRET → 78 KeySecretMismatch (nothing touched); none known → restored with a warning", async () => {
    const target = join(dir(), "nosecrets");
    const wrong = await runCli(["backup", "restore", plainArchive, "--dev", "--data-dir", target, "--json", "--confirm", "localhost"], { env: { KEY_ENCRYPTION_SECRET: "k".repeat(48) } });
    expect(wrong.code).toBe(78);
    expect(JSON.parse(wrong.stderr)).toMatchObject({ error: "KeySecretMismatch", exitCode: 78 });
    expect(existsSync(target)).toBe(false);
    expect(siblings(target)).toEqual([]);
    const unknown = await restore(plainArchive, target);
    expect(unknown.code).toBe(0);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ keySecretChecked: false, restoredSecrets: [] });
    expect(unknown.stderr).toContain("No KEY_ENCRYPTION_SECRET is set");
    expect(existsSync(join(target, "secrets.json"))).toBe(false);
  });

  test("on a terminal the hostname is typed: a wrong one → exit 2 with nothing touched, the right one restores", async () => {
    const target = join(dir(), "tty", "data");
    const args = ["backup", "restore", archive, "--dev", "--data-dir", target];
    const wrong = await runOnTty(args, "Type the hostname", "pds.example.org\r");
    expect(wrong.code).toBe(2);
    expect(existsSync(target)).toBe(false);
    const right = await runOnTty(args, "Type the hostname", "localhost\r");
    expect(right.code).toBe(0);
    expect(existsSync(join(target, "ofpds.sqlite"))).toBe(true);
  });

  test("--force moves the old data dir aside and the firehose resumes above everything the old one issued", async () => {
    const old = new Sqlite(join(restoredDir, "ofpds.sqlite"), { readonly: true });
    const oldMax = (old.query("SELECT MAX(seq) AS s FROM repo_events").get() as any).s as number;
    old.close();
    expect(oldMax).toBeGreaterThan(manifest.firehoseSeq);
    const before = fingerprint(restoredDir);
    const r = await restore(archive, restoredDir, ["--force", "--confirm", "localhost"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.movedAside).toMatch(new RegExp(`^${restoredDir}\\.before-restore-\\d{8}T\\d{6}Z$`));
    expect(fingerprint(out.movedAside)).toEqual(before);
    expect(out.firehoseSeqFloor).toBe(oldMax);
    const again = await startPds(adminEnv(), { dataDir: restoredDir });
    try {
      const db = new Sqlite(join(restoredDir, "ofpds.sqlite"), { readonly: true });
      const syncs = db.query("SELECT seq FROM repo_events WHERE seq > ? ORDER BY seq").all(manifest.firehoseSeq) as Array<{ seq: number }>;
      db.close();
      expect(syncs.length).toBe(4);
      expect(syncs[0]!.seq).toBe(oldMax + 1);
    } finally {
      await again.stop();
    }
  });
});

test("backup create: --output naming an existing file → exit 5, nothing written; no database → exit 1", async () => {
  const existing = join(dir(), "taken.tar.gz");
  writeFileSync(existing, "keep");
  const r = await runCli(["backup", "create", "--dev", "--data-dir", restoredDir, "--output", existing, "--json"]);
  expect(r.code).toBe(5);
  expect(JSON.parse(r.stderr)).toMatchObject({ error: "OutputExists", exitCode: 5 });
  expect(readFileSync(existing, "utf8")).toBe("keep");
  const empty = dir();
  const none = await runCli(["backup", "create", "--dev", "--data-dir", empty, "--json"]);
  expect(none.code).toBe(1);
  expect(JSON.parse(none.stderr)).toMatchObject({ error: "NoDatabase" });
});

// Across engines through the portable dump: SQLite → PostgreSQL → SQLite, each restored data set served and verified.
// These set DATABASE_URL themselves (a fresh database per data dir), so they run on both passes when PostgreSQL answers.
const pgUp = (() => {
  const script = `const s = (await import("postgres")).default(process.env.U, { onnotice() {}, max: 1, connect_timeout: 3 }); try { await s.unsafe("SELECT 1"); } finally { await s.end(); }`;
  return Bun.spawnSync([process.execPath, "-e", script], { cwd: join(import.meta.dir, "../.."), env: { ...process.env, U: TEST_DATABASE_URL }, stderr: "pipe" }).exitCode === 0;
})();

async function withPg(url: string, fn: (sql: any) => Promise<void>): Promise<void> {
  const sql = (await import("postgres")).default(url, { onnotice() {}, max: 1 });
  try {
    await fn(sql);
  } finally {
    await sql.end();
  }
}

type Root = { did: string; commit_cid: string; rev: string };

/** serve on the restored data set: the same heads, every CAR verifies, the blob is served, alice logs in and posts. */
async function checkRestored(dataDir: string, env: Record<string, string>, roots: Root[]): Promise<void> {
  const restored = await startPds({ ...adminEnv(), ...env }, { dataDir });
  try {
    for (const root of roots) {
      const head = await ok(xrpc(restored.url, "com.atproto.sync.getLatestCommit", { params: { did: root.did } }));
      expect(head).toEqual({ cid: root.commit_cid, rev: root.rev });
      const car = new Uint8Array(await (await fetch(`${restored.url}/xrpc/com.atproto.sync.getRepo?did=${root.did}`)).arrayBuffer());
      const verified = await verifyRepoCar(car, root.did, await plcSigningKey(restored.plcUrl, root.did));
      expect(verified.commit.rev).toBe(root.rev);
    }
    const got = await fetch(`${restored.url}/xrpc/com.atproto.sync.getBlob?did=${alice.did}&cid=${blob.cid}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(blob.bytes))).toBe(true);
    for (const [name, user] of [["alice", alice], ["bob", bob]] as const) {
      const session = await ok(xrpc(restored.url, "com.atproto.server.createSession", { body: { identifier: name, password: `Pw-${name}-2026-long` } }));
      expect(session.did).toBe(user.did);
      await createPost(restored.url, { did: user.did, token: session.accessJwt }, `after restore on ${env.DATABASE_URL ? "postgres" : "sqlite"}`);
    }
  } finally {
    expect(await restored.stop()).toBe(0);
  }
}

describe.skipIf(!pgUp)("across engines through the portable dump", () => {
  let pgDir: string;
  let pgEnv: Record<string, string>;

  test("a SQLite backup restored into an empty PostgreSQL database: serve exports the same repos, accounts log in", async () => {
    pgDir = join(dir(), "pg");
    pgEnv = { DATABASE_URL: databaseUrlFor(pgDir) };
    const r = await runCli(["backup", "restore", archive, "--dev", "--data-dir", pgDir, "--json", "--confirm", "localhost"], { env: pgEnv });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tables).toEqual(manifest.tables);
    expect(out.firehoseSeqFloor).toBe(manifest.firehoseSeq);
    expect(existsSync(join(pgDir, "ofpds.sqlite"))).toBe(false);
    expect(existsSync(join(pgDir, "secrets.json"))).toBe(true);
    for (const f of snapshotFiles) expect(existsSync(join(pgDir, "exports", community, f))).toBe(true);
    expect(siblings(pgDir)).toEqual([]);
    // every rowid identity continues above the restored rows
    await withPg(pgEnv.DATABASE_URL!, async (sql) => {
      const tables = await sql.unsafe("SELECT table_name AS t FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'rowid'");
      expect(tables.length).toBeGreaterThan(5);
      for (const { t } of tables) {
        const [row] = await sql.unsafe(`SELECT max(rowid)::text AS m, pg_sequence_last_value(pg_get_serial_sequence('"${t}"', 'rowid'))::text AS v FROM "${t}"`);
        if (row.m !== null) expect(Number(row.v)).toBeGreaterThanOrEqual(Number(row.m));
      }
    });
    await checkRestored(pgDir, pgEnv, backupRoots);
  });

  test("a dump that fails to load into PostgreSQL (row count ≠ manifest) → exit 1, and the database is empty again", async () => {
    const target = join(dir(), "pg-fail");
    const env = { DATABASE_URL: databaseUrlFor(target) };
    const y = extract(archive);
    const m = JSON.parse(readFileSync(join(y, "manifest.json"), "utf8"));
    m.tables.records += 1;
    writeFileSync(join(y, "manifest.json"), JSON.stringify(m));
    const r = await runCli(["backup", "restore", repack(y), "--dev", "--data-dir", target, "--json", "--confirm", "localhost"], { env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: "BackupCorrupt" });
    expect(JSON.parse(r.stderr).message).toContain("tables/records.jsonl holds");
    expect(existsSync(target)).toBe(false);
    expect(siblings(target)).toEqual([]);
    await withPg(env.DATABASE_URL, async (sql) => {
      expect(await sql.unsafe("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")).toEqual([]);
    });
    // and a good archive then restores into it
    expect((await runCli(["backup", "restore", archive, "--dev", "--data-dir", target, "--json", "--confirm", "localhost"], { env })).code).toBe(0);
  });

  test("into a PostgreSQL database that holds a data set → exit 5 DatabaseNotEmpty, even with --force; nothing touched", async () => {
    const before = fingerprint(pgDir);
    const r = await runCli(["backup", "restore", archive, "--dev", "--data-dir", pgDir, "--json", "--force", "--confirm", "localhost"], { env: pgEnv });
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: "DatabaseNotEmpty", exitCode: 5 });
    expect(JSON.parse(r.stderr).message).toContain("empty database");
    expect(fingerprint(pgDir)).toEqual(before);
    expect(siblings(pgDir)).toEqual([]);
  });

  test("a PostgreSQL backup (no SQLite file, no rowid column) restored into SQLite: serve exports the same repos, accounts log in", async () => {
    const live = await startPds({ ...adminEnv(), ...pgEnv }, { dataDir: pgDir });
    let roots: Root[];
    let out: any;
    try {
      await createPost(live.url, alice, "on postgres").catch(async () => {
        const session = await ok(xrpc(live.url, "com.atproto.server.createSession", { body: { identifier: "alice", password: "Pw-alice-2026-long" } }));
        await createPost(live.url, { did: alice.did, token: session.accessJwt }, "on postgres");
      });
      const r = await runCli(["backup", "create", "--dev", "--data-dir", pgDir, "--include-secrets", "--output", dir(), "--json"], { env: pgEnv });
      expect(r.stderr).not.toContain("\"error\"");
      expect(r.code).toBe(0);
      out = JSON.parse(r.stdout);
      roots = [];
      for (const root of backupRoots) {
        const head = await ok(xrpc(live.url, "com.atproto.sync.getLatestCommit", { params: { did: root.did } }));
        roots.push({ did: root.did, commit_cid: head.cid, rev: head.rev });
      }
    } finally {
      expect(await live.stop()).toBe(0);
    }
    const x = extract(out.archive);
    const m = JSON.parse(readFileSync(join(x, "manifest.json"), "utf8"));
    expect(m).toMatchObject({ format: "ofpds-backup", engine: "postgres", schemaVersion: SCHEMA_VERSION, serviceDid: manifest.serviceDid });
    const paths = m.files.map((f: any) => f.path);
    expect(paths).not.toContain("db/ofpds.sqlite");
    expect(Object.keys(m.tables).sort()).toEqual(Object.keys(manifest.tables).sort());
    for (const t of Object.keys(m.tables)) {
      const lines = readFileSync(join(x, `tables/${t}.jsonl`), "utf8").split("\n").filter(Boolean);
      expect(lines.length).toBe(m.tables[t]);
      for (const l of lines) expect(Object.keys(JSON.parse(l))).not.toContain("rowid");
    }
    expect(m.tables.records).toBeGreaterThan(manifest.tables.records);
    expect(paths.some((p: string) => p.startsWith("blobs/") && p.endsWith(blob.cid))).toBe(true);

    const sqliteDir = join(dir(), "back-on-sqlite");
    const r = await restore(out.archive, sqliteDir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tables).toEqual(m.tables);
    expect(existsSync(join(sqliteDir, "ofpds.sqlite"))).toBe(true);
    await checkRestored(sqliteDir, {}, roots!);
  });
});
