// Doctor checks that read only the local data set: config, data dir, database, keys, outbox, bootstrap, backups.
import { existsSync, readFileSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config, Secrets } from "../../config/types.ts";
import { deriveKek, INSTALLATION_SALT_META_KEY, openWithKek, WRONG_SECRET_MESSAGE } from "../../identity/keys.ts";
import { SCHEMA_VERSION } from "../../migrations.ts";
import { metaValue, schemaVersionOf, type DataSetLook } from "../data-set.ts";
import { LAST_BACKUP_FILE } from "../backup/marker.ts";
import { XFF_SEEN_META_KEY } from "../markers.ts";
import { fail, ok, warn, type CheckResult } from "./types.ts";

const GiB = 1024 ** 3;
const BACKUP_MAX_AGE_MS = 7 * 24 * 3600_000;
export const BOOTSTRAP_KEY_FILE = "bootstrap-admin-rotation-key.txt";

export function dataDirCheck(dataDir: string): CheckResult {
  let mode: number;
  try {
    const st = statSync(dataDir);
    if (!st.isDirectory()) return fail("data-dir", `${dataDir} is not a directory`);
    mode = st.mode & 0o777;
  } catch {
    return fail("data-dir", `the data directory ${dataDir} does not exist`, "run `ofpds init` (or `ofpds serve --dev` once) first");
  }
  let free = Number.POSITIVE_INFINITY;
  try {
    const fs = statfsSync(dataDir);
    free = Number(fs.bavail) * Number(fs.bsize);
  } catch {
    // statfs unsupported here: free space is not judged
  }
  const gib = Number.isFinite(free) ? `${(free / GiB).toFixed(1)} GiB free` : "free space unknown";
  if (free < 0.1 * GiB) return fail("data-dir", `${dataDir}: only ${gib}`, "free disk space: SQLite needs room for its WAL and backups");
  if ((mode & 0o077) !== 0) return warn("data-dir", `${dataDir} has mode ${mode.toString(8)} (group or others can read it)`, `chmod 700 ${dataDir}`);
  if (free < 1 * GiB) return warn("data-dir", `${dataDir}: only ${gib}`, "free disk space before it runs out");
  return ok("data-dir", `${dataDir} (mode 700, ${gib})`);
}

/** `openError`: why the database could not be opened (PostgreSQL unreachable, a schema newer than this binary). */
export async function databaseCheck(db: DataSetLook | undefined, dataDir: string, openError?: string): Promise<CheckResult> {
  if (openError) return fail("database", openError);
  if (!db) return fail("database", `no database in ${dataDir}`, "run `ofpds init`, or start the server once");
  let version: number;
  try {
    await db.raw.get("SELECT 1");
    version = await schemaVersionOf(db.raw);
  } catch (err) {
    return fail("database", `the database cannot be read: ${(err as Error).message}`);
  }
  if (version > SCHEMA_VERSION) return fail("database", `schema version ${version} is newer than this binary supports (${SCHEMA_VERSION})`, "upgrade ofpds");
  const journal = db.journalMode;
  if (journal !== undefined && journal.toLowerCase() !== "wal") return warn("database", `journal mode is ${journal || "unknown"}, not WAL`, "start the server once: it switches the database to WAL");
  if (version < SCHEMA_VERSION) return warn("database", `schema version ${version}; this binary has ${SCHEMA_VERSION}`, "the pending migrations run at the next `ofpds serve`");
  return ok("database", db.dialect === "postgres" ? `reachable, schema version ${version} (current), PostgreSQL at ${db.location}` : `reachable, schema version ${version} (current), WAL`);
}

export async function keysCheck(db: DataSetLook | undefined, secrets: Secrets): Promise<CheckResult> {
  if (!db) return fail("keys", "no database: the key-encryption secret cannot be checked");
  if (!secrets.keyEncryptionSecret) return fail("keys", "KEY_ENCRYPTION_SECRET is not set", "set it (KEY_ENCRYPTION_SECRET or _FILE); in --dev it lives in <DATA_DIR>/secrets.json");
  const saltHex = await metaValue(db.raw, INSTALLATION_SALT_META_KEY);
  let row: { did: string; ciphertext: Uint8Array } | undefined;
  try {
    row = await db.raw.get<{ did: string; ciphertext: Uint8Array }>("SELECT did, ciphertext FROM identity_keys WHERE purpose = 'service.signing-key' ORDER BY created_at LIMIT 1");
  } catch {
    row = undefined;
  }
  if (!saltHex || !row) return warn("keys", "no service key yet", "the server creates it at its first start");
  const kek = await deriveKek(secrets.keyEncryptionSecret, Buffer.from(saltHex, "hex"));
  try {
    openWithKek(kek, "service.signing-key", row.did, row.ciphertext);
  } catch {
    return fail("keys", WRONG_SECRET_MESSAGE, "use the KEY_ENCRYPTION_SECRET this data set was created with, or `ofpds keys rewrap --old-secret-file <file>`");
  }
  return ok("keys", "KEY_ENCRYPTION_SECRET decrypts the service key");
}

export async function outboxCheck(db: DataSetLook | undefined): Promise<CheckResult> {
  if (!db) return warn("plc-outbox", "no database");
  let n = 0;
  try {
    n = Number((await db.raw.get<{ n: number }>("SELECT count(*) AS n FROM plc_tombstone_outbox"))?.n ?? 0);
  } catch {
    n = 0;
  }
  return n === 0 ? ok("plc-outbox", "PLC outbox is empty") : warn("plc-outbox", `${n} PLC tombstone operation(s) waiting`, "check that PLC_URL is reachable; the outbox retries every minute");
}

export function bootstrapCheck(dataDir: string, secrets: Secrets): CheckResult {
  const left: string[] = [];
  if (secrets.bootstrapAdmin) left.push("BOOTSTRAP_ADMIN_* settings");
  if (existsSync(join(dataDir, BOOTSTRAP_KEY_FILE))) left.push(join(dataDir, BOOTSTRAP_KEY_FILE));
  if (left.length === 0) return ok("bootstrap", "no bootstrap settings or key file left");
  return warn("bootstrap", `still present: ${left.join(", ")}`, "move the admin's rotation key somewhere safe, delete the file and remove the bootstrap_admin_* settings");
}

export function backupCheck(dataDir: string, now: number): CheckResult {
  // `ofpds backup create` works on both engines and records its last run in the data dir
  let at: number | undefined;
  try {
    at = Date.parse((JSON.parse(readFileSync(join(dataDir, LAST_BACKUP_FILE), "utf8")) as { createdAt: string }).createdAt);
  } catch {
    at = undefined;
  }
  if (at === undefined || Number.isNaN(at)) return warn("backup", "no backup recorded", "run `ofpds backup create` (and keep KEY_ENCRYPTION_SECRET separately)");
  const days = Math.floor((now - at) / (24 * 3600_000));
  if (now - at > BACKUP_MAX_AGE_MS) return warn("backup", `the last backup is ${days} days old`, "run `ofpds backup create`");
  return ok("backup", `last backup ${new Date(at).toISOString()}`);
}

export async function proxyHeaderCheck(db: DataSetLook | undefined, config: Config): Promise<CheckResult> {
  const seen = db ? await metaValue(db.raw, XFF_SEEN_META_KEY) : undefined;
  if (seen && config.trustProxy === 0) {
    return warn("trust-proxy", `requests with X-Forwarded-For arrived (last recorded ${seen}) while TRUST_PROXY=0`, "behind a reverse proxy, set TRUST_PROXY to the number of proxy hops");
  }
  return ok("trust-proxy", config.trustProxy === 0 ? "no X-Forwarded-For seen with TRUST_PROXY=0" : `TRUST_PROXY=${config.trustProxy}`);
}
