// plc_ops table and indexes (§6), applied with numbered migrations tracked in PRAGMA user_version.
import type { Database } from "bun:sqlite";

const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS plc_ops (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     did TEXT NOT NULL,
     cid TEXT NOT NULL,
     op_json TEXT NOT NULL,
     nullified INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     UNIQUE (did, cid)
   );
   CREATE INDEX IF NOT EXISTS plc_ops_did_seq ON plc_ops (did, seq);
   CREATE INDEX IF NOT EXISTS plc_ops_created_cid ON plc_ops (created_at, cid);`,
];

export function migrate(db: Database): void {
  const row = db.query("PRAGMA user_version").get() as { user_version: number };
  for (let v = row.user_version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    }).immediate();
  }
}
