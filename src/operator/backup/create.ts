// backup create (09 §6): an online, consistent snapshot (SQLite VACUUM INTO, which reads in one transaction) from which
// the JSON-lines dump and the blob list are taken, plus blobs, export snapshots and config, into a 0600 tar.gz.
// On PostgreSQL (input.database) the same dump is read through the Database contract inside one REPEATABLE READ
// snapshot, and the archive holds no database file (manifest engine "postgres").
import { Database as SqliteDatabase } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { shardOf } from "../../blob/store.ts";
import { SECRET_NAMES } from "../../config/settings.ts";
import { dbPathOf, metaValue, openDataSetDb, schemaVersionOf } from "../data-set.ts";
import { sqliteRaw } from "../../db/sqlite-database.ts";
import type { Raw } from "../../db/database.ts";
import { openDatabase, type OpenOptions } from "../../migrations.ts";
import { SEQ_FLOOR_META_KEY } from "../markers.ts";
import { dumpedTables, dumpTables, dumpTablesRaw, pgDumpedTables } from "./dump.ts";
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_NAME, type BackupManifest, type ManifestFile } from "./manifest.ts";
import { recordBackup } from "./marker.ts";
import { TarGzWriter } from "./tar.ts";
import { DEV_SECRET_FILES } from "./layout.ts";

export class BackupError extends Error {
  constructor(message: string, readonly errorName = "BackupFailed") {
    super(message);
    this.name = "BackupError";
  }
}

export interface BackupCreateInput {
  dataDir: string;
  /** where the blobs and export snapshots are (BLOB_DIR; default under dataDir) */
  blobDir?: string;
  exportsDir?: string;
  /** the PostgreSQL connection (config.database): the dump is read from it, no SQLite file is involved */
  database?: OpenOptions["database"];
  serviceDid: string;
  hostname: string;
  version: string;
  /** the config file the configuration was read from, if any */
  configPath: string | undefined;
  /** secret files named by `<NAME>_FILE` settings (archived only with includeSecrets) */
  secretFiles: Array<{ name: string; path: string }>;
  includeSecrets: boolean;
  /** a file, or an existing directory to put the default name in; default <dataDir>/backups */
  output: string | undefined;
  now: () => number;
}

export interface BackupCreateResult {
  archive: string;
  manifest: BackupManifest;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

function archivePath(input: BackupCreateInput, createdMs: number): string {
  const name = `ofpds-backup-${stamp(createdMs)}.tar.gz`;
  if (!input.output) {
    const dir = join(input.dataDir, "backups");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return join(dir, name);
  }
  const out = resolve(input.output);
  if (existsSync(out) && statSync(out).isDirectory()) return join(out, name);
  if (existsSync(out)) throw new BackupError(`${out} already exists; choose another --output`, "OutputExists");
  if (!existsSync(dirname(out))) throw new BackupError(`the directory ${dirname(out)} does not exist`, "OutputMissing");
  return out;
}

/** Secret settings removed from the archived config file unless --include-secrets. */
function withoutSecrets(toml: string): string {
  const secret = new Set<string>(SECRET_NAMES);
  return toml
    .split("\n")
    .map((line) => {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
      return m && secret.has(m[1]!.toUpperCase()) ? `# ${m[1]} removed by ofpds backup create (run it with --include-secrets to keep secrets)` : line;
    })
    .join("\n");
}

function* walkFiles(root: string): Generator<string> {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, entry.name);
    if (entry.isDirectory()) yield* walkFiles(p);
    else if (entry.isFile()) yield p;
  }
}

/** The manifest's facts and the blob list, read from one consistent view (the SQLite copy or a PostgreSQL snapshot). */
async function describe(raw: Raw, input: BackupCreateInput, createdMs: number, engine: "sqlite" | "postgres") {
  const maxSeq = Number((await raw.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM repo_events"))?.s ?? 0);
  const floor = Number((await metaValue(raw, SEQ_FLOOR_META_KEY)) ?? 0) || 0;
  const migrations = (await raw.all<{ id: number }>("SELECT id FROM _migrations ORDER BY id")).map((r) => Number(r.id));
  const manifestBase: Omit<BackupManifest, "files" | "tables"> = {
    format: BACKUP_FORMAT,
    engine,
    formatVersion: BACKUP_FORMAT_VERSION,
    ofpdsVersion: input.version,
    schemaVersion: await schemaVersionOf(raw),
    migrations,
    // the DID the installation's service key is bound to: the data set's own, whatever port this CLI was given
    serviceDid: (await raw.get<{ did: string }>("SELECT did FROM identity_keys WHERE purpose = 'service.signing-key' ORDER BY created_at LIMIT 1"))?.did ?? input.serviceDid,
    hostname: input.hostname,
    firehoseSeq: Math.max(maxSeq, floor),
    createdAt: new Date(createdMs).toISOString(),
    includesSecrets: input.includeSecrets,
  };
  const blobFiles: Array<{ name: string; path: string }> = [];
  // blobs the snapshot knows; a file the blob GC removed meanwhile belonged to an unreferenced temporary blob
  for (const b of await raw.all<{ did: string; cid: string }>("SELECT did, cid FROM blobs ORDER BY did, cid")) {
    const path = join(input.blobDir ?? join(input.dataDir, "blobs"), shardOf(b.did), b.did, b.cid);
    if (existsSync(path)) blobFiles.push({ name: `blobs/${shardOf(b.did)}/${b.did}/${b.cid}`, path });
  }
  return { manifestBase, blobFiles };
}

export async function createBackup(input: BackupCreateInput): Promise<BackupCreateResult> {
  const { dataDir } = input;
  const live = input.database ? undefined : openDataSetDb(dataDir);
  if (!input.database && !live) throw new BackupError(`no database in ${dataDir} (${dbPathOf(dataDir)}): nothing to back up`, "NoDatabase");
  const pg = input.database ? await openDatabase({ database: input.database, migrate: false }) : undefined;
  const createdMs = input.now();
  let archive: string;
  try {
    archive = archivePath(input, createdMs);
  } catch (err) {
    live?.close();
    await pg?.close();
    throw err;
  }
  const partial = `${archive}.partial`;
  const staging = mkdtempSync(join(dirname(archive), ".ofpds-backup-"));
  chmodSync(staging, 0o700);
  const files: ManifestFile[] = [];
  let writer: TarGzWriter | undefined;
  try {
    let snapshot: string | undefined;
    let manifestBase: Omit<BackupManifest, "files" | "tables">;
    let tables: Record<string, number>;
    let blobFiles: Array<{ name: string; path: string }>;
    mkdirSync(join(staging, "tables"), { mode: 0o700 });
    if (pg) {
      // one REPEATABLE READ transaction: the dump, the blob list and the manifest's seq are one moment of the database
      const snap = await pg.snapshot();
      try {
        if (!(await snap.raw.get("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_migrations'"))) {
          throw new BackupError(`the database ${pg.location} has no ofpds schema: nothing to back up`, "NoDatabase");
        }
        ({ manifestBase, blobFiles } = await describe(snap.raw, input, createdMs, "postgres"));
        const { tables: names, withRowid } = await pgDumpedTables(snap.raw);
        tables = await dumpTablesRaw(snap.raw, join(staging, "tables"), names, withRowid);
      } finally {
        await snap.release();
      }
    } else {
      snapshot = join(staging, "ofpds.sqlite");
      // Why VACUUM INTO: it copies the database inside one read transaction, so the copy is consistent while the
      // server keeps writing (WAL readers never block the writer); everything below reads the copy, not the live file.
      try {
        live!.query("VACUUM INTO ?").run(snapshot);
      } finally {
        live!.close();
      }
      const copy = new SqliteDatabase(snapshot, { readonly: true });
      try {
        ({ manifestBase, blobFiles } = await describe(sqliteRaw(copy), input, createdMs, "sqlite"));
        tables = await dumpTables(copy, join(staging, "tables"), dumpedTables(copy));
      } finally {
        copy.close();
      }
    }

    writer = new TarGzWriter(partial);
    const add = async (name: string, path: string) => {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return; // removed while the backup ran (an export snapshot pruned by retention)
      }
      files.push({ path: name, size, sha256: await writer!.addFile(name, path, size) });
    };
    if (snapshot) await add("db/ofpds.sqlite", snapshot);
    for (const t of Object.keys(tables)) await add(`tables/${t}.jsonl`, join(staging, "tables", `${t}.jsonl`));
    for (const b of blobFiles) await add(b.name, b.path);
    const exportsDir = input.exportsDir ?? join(dataDir, "exports");
    // `.tmp-` files are snapshots being written (docs/snapshots.md): not finished, not archived
    for (const p of walkFiles(exportsDir)) if (!basename(p).includes(".tmp-")) await add(`exports/${relative(exportsDir, p)}`, p);
    const plcDb = join(dataDir, "plc.sqlite");
    if (existsSync(plcDb)) {
      // the embedded --dev directory: the DIDs of this data set resolve only through it
      const plcSnapshot = join(staging, "plc.sqlite");
      const plc = new SqliteDatabase(plcDb, { readwrite: true, create: false });
      try {
        plc.exec("PRAGMA busy_timeout = 5000");
        plc.query("VACUUM INTO ?").run(plcSnapshot);
      } finally {
        plc.close();
      }
      await add("plc/plc.sqlite", plcSnapshot);
    }
    if (input.configPath && existsSync(input.configPath)) {
      const text = readFileSync(input.configPath, "utf8");
      const cfg = join(staging, "config.toml");
      writeFileSync(cfg, input.includeSecrets ? text : withoutSecrets(text), { mode: 0o600 });
      await add("config/config.toml", cfg);
    }
    if (input.includeSecrets) {
      for (const f of DEV_SECRET_FILES) if (existsSync(join(dataDir, f))) await add(`secrets/${f}`, join(dataDir, f));
      for (const s of input.secretFiles) if (existsSync(s.path)) await add(`secrets/${s.name}`, s.path);
    }
    const manifest: BackupManifest = { ...manifestBase, tables, files };
    await writer.addBytes(MANIFEST_NAME, Buffer.from(JSON.stringify(manifest, null, 2) + "\n"));
    await writer.finish();
    writer = undefined;
    renameSync(partial, archive);
    chmodSync(archive, 0o600);
    recordBackup(dataDir, archive, manifest.createdAt);
    return { archive, manifest };
  } catch (err) {
    await writer?.abort();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await pg?.close();
  }
}
