// backup restore (09 §6): verify every checksum and the schema, rebuild the database from the portable JSON-lines
// dump in a staging directory beside the data dir, then swap it in (with --force the old one is moved aside).
// On PostgreSQL (input.database) the rows go into the configured database, which must be empty (no _migrations
// rows); the data dir still gets the config and secret files, BLOB_DIR and the exports dir their files.
import { Database as SqliteDatabase } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { acquireDataDirLock, type DataDirLock } from "../../db/lock.ts";
import { SqliteDatabase as ServerSqliteDatabase } from "../../db/sqlite-database.ts";
import { MIGRATIONS, SCHEMA_VERSION, openDatabase, type OpenOptions } from "../../migrations.ts";
import { deriveKek, INSTALLATION_SALT_META_KEY, openWithKek } from "../../identity/keys.ts";
import { dbPathOf, metaValue } from "../data-set.ts";
import { sqliteRaw } from "../../db/sqlite-database.ts";
import { RESTORE_PENDING_META_KEY, SEQ_FLOOR_META_KEY } from "../markers.ts";
import { decodeValue, loadTables } from "./dump.ts";
import { DEV_SECRET_FILES, LOCK_FILES } from "./layout.ts";
import { BACKUP_FORMAT, MANIFEST_NAME, type BackupManifest } from "./manifest.ts";
import { ArchiveFormatError, extractTarGz } from "./tar.ts";

export { RestoreError, type RestoreErrorName } from "./restore-errors.ts";
import { RestoreError } from "./restore-errors.ts";
import { pgIsEmpty, rebuildPostgres, resetRowidSequences } from "./restore-postgres.ts";

export interface RestoreInput {
  archive: string;
  dataDir: string;
  force: boolean;
  /** the PostgreSQL database to restore into (config.database); undefined = <dataDir>/ofpds.sqlite */
  database?: OpenOptions["database"];
  /** where blobs and export snapshots go (BLOB_DIR); default under dataDir */
  blobDir?: string;
  exportsDir?: string;
  /** the KEY_ENCRYPTION_SECRET the server will start with; undefined = the archive's (dev secrets.json) if any */
  keyEncryptionSecret: string | undefined;
  now: () => number;
}

export interface RestoreResult {
  dataDir: string;
  movedAside: string | undefined;
  backupCreatedAt: string;
  backupSchemaVersion: number;
  schemaVersion: number;
  firehoseSeqFloor: number;
  tables: Record<string, number>;
  files: number;
  /** where archived secret files and the config were put for the operator to review */
  restoredConfig: string | undefined;
  restoredSecrets: string[];
  /** false when no KEY_ENCRYPTION_SECRET was known to check the restored keys against */
  keySecretChecked: boolean;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

/** The data dir holds something other than its lock files. */
function nonEmpty(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => !(LOCK_FILES as readonly string[]).includes(n));
}

function readManifest(dir: string, entries: Map<string, { size: number; sha256: string }>): BackupManifest {
  if (!entries.has(MANIFEST_NAME)) throw new RestoreError(`the archive has no ${MANIFEST_NAME}: not an ofpds backup`, "BackupCorrupt");
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(join(dir, MANIFEST_NAME), "utf8")) as BackupManifest;
  } catch {
    throw new RestoreError(`${MANIFEST_NAME} is not valid JSON`, "BackupCorrupt");
  }
  if (m.format !== BACKUP_FORMAT || !Array.isArray(m.files) || !Array.isArray(m.migrations)) throw new RestoreError(`${MANIFEST_NAME} is not an ofpds backup manifest`, "BackupCorrupt");
  return m;
}

/** Every listed file present with its size and SHA-256, nothing unlisted, and a schema this binary knows. */
function verify(m: BackupManifest, entries: Map<string, { size: number; sha256: string }>): void {
  for (const f of m.files) {
    const got = entries.get(f.path);
    if (!got) throw new RestoreError(`checksum error: ${f.path} is listed in the manifest but missing from the archive`, "BackupCorrupt");
    if (got.size !== f.size || got.sha256 !== f.sha256) throw new RestoreError(`checksum error: ${f.path} does not match its SHA-256 in the manifest`, "BackupCorrupt");
  }
  const listed = new Set(m.files.map((f) => f.path));
  for (const name of entries.keys()) if (name !== MANIFEST_NAME && !listed.has(name)) throw new RestoreError(`the archive holds ${name}, which the manifest does not list`, "BackupCorrupt");
  const known = new Set(MIGRATIONS.map((x) => x.id));
  const unknown = m.migrations.filter((id) => !known.has(id));
  if (m.schemaVersion > SCHEMA_VERSION || unknown.length) {
    throw new RestoreError(`the backup's database schema (version ${m.schemaVersion}) is newer than this ofpds binary supports (version ${SCHEMA_VERSION}); upgrade ofpds first`, "SchemaTooNew");
  }
}

/** The highest seq a data set issued: its events' maximum or its recorded floor. */
async function seqHighWater(dbPath: string): Promise<number> {
  if (!existsSync(dbPath)) return 0;
  const db = new SqliteDatabase(dbPath, { readonly: true });
  try {
    const max = db.query<{ s: number | null }, []>("SELECT MAX(seq) AS s FROM repo_events").get()?.s ?? 0;
    return Math.max(max, Number((await metaValue(sqliteRaw(db), SEQ_FLOOR_META_KEY)) ?? 0) || 0);
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** The schema the backup was taken at, its rows from the dump, then this binary's newer migrations. */
async function rebuildDatabase(path: string, m: BackupManifest, tablesDir: string): Promise<Record<string, number>> {
  const at = new Set(m.migrations);
  await (await ServerSqliteDatabase.open({ path, migrations: MIGRATIONS.filter((x) => at.has(x.id)) })).close();
  const raw = new SqliteDatabase(path, { readwrite: true, create: false });
  let counts: Record<string, number>;
  try {
    counts = loadTables(raw, tablesDir, Object.keys(m.tables));
  } catch (err) {
    throw new RestoreError(`the table dump cannot be loaded: ${(err as Error).message}`, "BackupCorrupt");
  } finally {
    raw.close();
  }
  for (const [t, n] of Object.entries(m.tables)) {
    if (counts[t] !== n) throw new RestoreError(`checksum error: tables/${t}.jsonl holds ${counts[t]} rows, the manifest says ${n}`, "BackupCorrupt");
  }
  return counts;
}

/** The rows of one table of the (verified) dump. */
function dumpRows(tablesDir: string, table: string): Array<Record<string, unknown>> {
  const file = join(tablesDir, `${table}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Whether the secret opens the backup's service key, read from the dump itself (before any database is written). */
async function checkKeySecret(tablesDir: string, secret: string): Promise<boolean> {
  try {
    const salt = dumpRows(tablesDir, "server_meta").find((r) => r.key === INSTALLATION_SALT_META_KEY)?.value as string | undefined;
    const row = dumpRows(tablesDir, "identity_keys")
      .filter((r) => r.purpose === "service.signing-key")
      .sort((a, b) => (String(a.created_at) < String(b.created_at) ? -1 : String(a.created_at) > String(b.created_at) ? 1 : 0))[0];
    if (!salt || !row) return true;
    openWithKek(await deriveKek(secret, Buffer.from(salt, "hex")), "service.signing-key", String(row.did), decodeValue(row.ciphertext) as Uint8Array);
    return true;
  } catch {
    return false;
  }
}

/** rename, or copy where the target is on another file system (BLOB_DIR on a shared mount) */
function moveFile(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}

function moveInto(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  renameSync(from, to);
}

export async function restoreBackup(input: RestoreInput): Promise<RestoreResult> {
  const { dataDir } = input;
  if (!existsSync(input.archive) || !statSync(input.archive).isFile()) throw new RestoreError(`no archive at ${input.archive}`, "ArchiveNotFound");
  // The lock first (a running server → DataDirLockedError, exit 1), so nothing below races a starting server.
  const hadLockFile = existsSync(join(dataDir, "ofpds.lock"));
  let lock: DataDirLock | undefined = existsSync(dataDir) ? acquireDataDirLock(dataDir) : undefined;
  const releaseLock = () => {
    lock?.release();
    lock = undefined;
  };
  const ts = stamp(input.now());
  const extractDir = `${dataDir}.restore-archive-${ts}`;
  const newDir = `${dataDir}.restoring-${ts}`;
  let newLock: DataDirLock | undefined;
  let swapped = false;
  let movedAsideDir: string | undefined;
  try {
    if (nonEmpty(dataDir) && !input.force) {
      throw new RestoreError(`the data directory ${dataDir} is not empty; nothing was changed\nStop the server and pass --force to move it aside to ${dataDir}.before-restore-<timestamp>`, "DataDirNotEmpty");
    }
    // PostgreSQL is restored in place, so only into an empty database (--force moves a data dir aside, never a database)
    if (input.database) {
      const pg = await pgIsEmpty(input.database);
      if (!pg.empty) {
        throw new RestoreError(`the database ${pg.location} already holds an ofpds data set; nothing was changed\nRestore into an empty database (drop and recreate it, or point DATABASE_URL at a new one)`, "DatabaseNotEmpty");
      }
    }
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 });
    mkdirSync(extractDir, { recursive: false, mode: 0o700 });
    let entries: Map<string, { size: number; sha256: string }>;
    try {
      entries = await extractTarGz(input.archive, extractDir);
    } catch (err) {
      if (err instanceof ArchiveFormatError) throw new RestoreError(`the archive is damaged: ${err.message}`, "BackupCorrupt");
      throw err;
    }
    const manifest = readManifest(extractDir, entries);
    verify(manifest, entries);

    // A secret that cannot open the restored keys would make `serve` refuse (78): refuse now, before anything is written.
    const tablesDir = join(extractDir, "tables");
    let secret = input.keyEncryptionSecret;
    const archivedSecrets = join(extractDir, "secrets", "secrets.json");
    if (!secret && existsSync(archivedSecrets)) secret = (JSON.parse(readFileSync(archivedSecrets, "utf8")) as { KEY_ENCRYPTION_SECRET?: string }).KEY_ENCRYPTION_SECRET;
    if (secret && !(await checkKeySecret(tablesDir, secret))) {
      throw new RestoreError("KEY_ENCRYPTION_SECRET does not decrypt the keys in this backup; nothing was changed\nSet the secret of the installation the backup was taken from (or restore it with `ofpds keys rewrap` afterwards)", "KeySecretMismatch");
    }

    mkdirSync(newDir, { recursive: false, mode: 0o700 });
    newLock = acquireDataDirLock(newDir);
    const dbPath = dbPathOf(newDir);
    const tables = input.database ? await rebuildPostgres(input.database, manifest, tablesDir) : await rebuildDatabase(dbPath, manifest, tablesDir);
    // the high-water mark: above the backup's seq and, with --force, above whatever the replaced data set issued
    // (a PostgreSQL target was empty: nothing issued)
    const floor = Math.max(manifest.firehoseSeq, input.force && !input.database ? await seqHighWater(dbPathOf(dataDir)) : 0);
    // this binary's newer migrations, then the two markers the first start reads (close checkpoints the WAL)
    const db = input.database ? await openDatabase({ database: input.database }) : await openDatabase({ path: dbPath });
    try {
      if (db.dialect === "postgres") await resetRowidSequences(db.raw);
      const now = new Date(input.now()).toISOString();
      const upsert = "INSERT INTO server_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
      await db.transaction(async (tx) => {
        await tx.raw.run(upsert, [SEQ_FLOOR_META_KEY, String(floor), now]);
        await tx.raw.run(upsert, [RESTORE_PENDING_META_KEY, JSON.stringify({ archive: input.archive, backupCreatedAt: manifest.createdAt, restoredAt: now }), now]);
      });
    } finally {
      await db.close();
    }

    const restoredSecrets: string[] = [];
    let restoredConfig: string | undefined;
    // blobs and snapshots go to BLOB_DIR / the exports dir: inside the data dir they travel with the swap, elsewhere
    // they are moved in right before it
    const blobDir = resolve(input.blobDir ?? join(dataDir, "blobs"));
    const exportsDir = resolve(input.exportsDir ?? join(dataDir, "exports"));
    const outside: Array<{ from: string; to: string }> = [];
    const place = (from: string, to: string) => {
      const rel = relative(resolve(dataDir), to);
      if (!rel.startsWith("..") && !rel.startsWith("/")) moveInto(from, join(newDir, rel));
      else outside.push({ from, to });
    };
    for (const f of manifest.files) {
      const from = join(extractDir, f.path);
      if (f.path.startsWith("blobs/")) place(from, join(blobDir, f.path.slice("blobs/".length)));
      else if (f.path.startsWith("exports/")) place(from, join(exportsDir, f.path.slice("exports/".length)));
      else if (f.path === "plc/plc.sqlite") moveInto(from, join(newDir, "plc.sqlite"));
      else if (f.path === "config/config.toml") moveInto(from, (restoredConfig = join(newDir, "restored-config.toml")));
      else if (f.path.startsWith("secrets/")) {
        const name = f.path.slice("secrets/".length);
        const to = (DEV_SECRET_FILES as readonly string[]).includes(name) ? join(newDir, name) : join(newDir, "restored-secrets", name);
        moveInto(from, to);
        restoredSecrets.push(to);
      }
    }

    for (const o of outside) moveFile(o.from, o.to);

    let movedAside: string | undefined;
    if (nonEmpty(dataDir)) {
      movedAside = `${dataDir}.before-restore-${ts}`;
      renameSync(dataDir, movedAside);
      movedAsideDir = movedAside;
    } else if (existsSync(dataDir)) {
      rmSync(dataDir, { recursive: true, force: true }); // only its lock files
    }
    renameSync(newDir, dataDir);
    swapped = true;
    // the lock's rollback journal was named under the staging path: release now and drop the stale one it leaves
    newLock.release();
    newLock = undefined;
    rmSync(join(dataDir, "ofpds.lock-journal"), { force: true });
    return {
      dataDir,
      movedAside,
      backupCreatedAt: manifest.createdAt,
      backupSchemaVersion: manifest.schemaVersion,
      schemaVersion: SCHEMA_VERSION,
      firehoseSeqFloor: floor,
      tables,
      files: manifest.files.length,
      restoredConfig: restoredConfig?.replace(newDir, dataDir),
      restoredSecrets: restoredSecrets.map((p) => p.replace(newDir, dataDir)),
      keySecretChecked: Boolean(secret),
    };
  } finally {
    newLock?.release();
    releaseLock();
    // a lock released after its directory was renamed leaves its rollback journal behind: not ours to leave
    if (movedAsideDir) rmSync(join(movedAsideDir, "ofpds.lock-journal"), { force: true });
    rmSync(extractDir, { recursive: true, force: true });
    if (!swapped) {
      rmSync(newDir, { recursive: true, force: true });
      // a refused restore leaves the data dir as it found it: no lock file of ours either
      if (!hadLockFile && existsSync(join(dataDir, "ofpds.lock"))) rmSync(join(dataDir, "ofpds.lock"), { force: true });
    }
  }
}
