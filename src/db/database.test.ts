// Unit tests for the Database façade: migrations, transactions, after-commit hooks, isolation, the data-set lock.
import { afterAll, describe, expect, test } from "bun:test";
import { openDatabase } from "../migrations.ts";
import { Database as SqliteDatabase } from "bun:sqlite";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { Database, SchemaTooNewError } from "./database.ts";
import { SCHEMA_VERSION } from "../migrations.ts";
import { serverMeta } from "./schema.ts";
import { acquireDataDirLock, DataDirLockedError } from "./lock.ts";
import { tempDir } from "../../test/_support/process.ts";

const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));
function freshDb(): Database {
  const d = tempDir("ofpds-db-");
  dirs.push(d);
  return openDatabase({ dataDir: d.path });
}
const now = () => new Date().toISOString();

describe("migrations", () => {
  test("a new database is migrated to the current schema, WAL on", async () => {
    const db = freshDb();
    expect(db.schemaVersion()).toBe(SCHEMA_VERSION);
    const raw = new SqliteDatabase(db.path);
    expect(raw.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    raw.close();
    await db.close();
  });
  test("reopening is a no-op", async () => {
    const db = freshDb();
    const path = db.path;
    await db.close();
    const again = openDatabase({ path });
    expect(again.schemaVersion()).toBe(SCHEMA_VERSION);
    await again.close();
  });
  test("a lower id that lands after a higher one is still applied", async () => {
    const d = tempDir("ofpds-db-");
    dirs.push(d);
    const m = (id: number) => ({ id, name: `m${id}`, sqlite: [`CREATE TABLE t${id} (x INTEGER)`] });
    const first = Database.open({ dataDir: d.path, migrations: [m(1), m(3)] });
    await first.close();
    const second = Database.open({ dataDir: d.path, migrations: [m(1), m(2), m(3)] });
    const raw = new SqliteDatabase(second.path);
    expect(raw.query<{ id: number }, []>("SELECT id FROM _migrations ORDER BY id").all().map((r) => r.id)).toEqual([1, 2, 3]);
    expect(raw.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE name = 't2'").get()?.n).toBe(1);
    raw.close();
    await second.close();
  });
  test("a schema newer than the binary is refused", async () => {
    const db = freshDb();
    const path = db.path;
    await db.close();
    const raw = new SqliteDatabase(path);
    raw.run("INSERT INTO _migrations (id, name, applied_at) VALUES (?, 'future', ?)", [SCHEMA_VERSION + 1, now()]);
    raw.close();
    expect(() => openDatabase({ path })).toThrow(SchemaTooNewError);
  });
});

describe("transactions", () => {
  test("commit, then after-commit hooks run", async () => {
    const db = freshDb();
    const seen: string[] = [];
    await db.transaction(async (tx) => {
      tx.orm.insert(serverMeta).values({ key: "a", value: "1", updatedAt: now() }).run();
      tx.afterCommit(() => seen.push("hook"));
      // Not visible to the reader before COMMIT.
      expect(db.orm.select().from(serverMeta).where(eq(serverMeta.key, "a")).all()).toEqual([]);
    });
    expect(seen).toEqual(["hook"]);
    expect(db.orm.select().from(serverMeta).where(eq(serverMeta.key, "a")).get()?.value).toBe("1");
    await db.close();
  });
  test("a throwing callback rolls back and skips hooks", async () => {
    const db = freshDb();
    let hookRan = false;
    await expect(
      db.transaction(async (tx) => {
        tx.orm.insert(serverMeta).values({ key: "b", value: "1", updatedAt: now() }).run();
        tx.afterCommit(() => (hookRan = true));
        await Bun.sleep(1);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(hookRan).toBe(false);
    expect(db.orm.select().from(serverMeta).all()).toEqual([]);
    await db.close();
  });
  test("concurrent async transactions are serialised: no lost update", async () => {
    const db = freshDb();
    await db.transaction((tx) => tx.orm.insert(serverMeta).values({ key: "n", value: "0", updatedAt: now() }).run());
    await Promise.all(
      Array.from({ length: 50 }, () =>
        db.transaction(async (tx) => {
          const cur = Number(tx.orm.select().from(serverMeta).where(eq(serverMeta.key, "n")).get()!.value);
          await Bun.sleep(0); // yield mid-transaction: interleaving would lose updates
          tx.orm.update(serverMeta).set({ value: String(cur + 1) }).where(eq(serverMeta.key, "n")).run();
        }),
      ),
    );
    expect(db.orm.select().from(serverMeta).where(eq(serverMeta.key, "n")).get()?.value).toBe("50");
    await db.close();
  });
  test("ping is true while open and false after close", async () => {
    const db = freshDb();
    expect(db.ping()).toBe(true);
    await db.close();
    expect(db.ping()).toBe(false);
  });
});

describe("data-set lock", () => {
  test("a second holder is refused until the first releases", () => {
    const d = tempDir("ofpds-lock-");
    dirs.push(d);
    const first = acquireDataDirLock(d.path);
    expect(() => acquireDataDirLock(d.path)).toThrow(DataDirLockedError);
    first.release();
    const second = acquireDataDirLock(d.path);
    second.release();
    expect(join(d.path, "ofpds.lock")).toBeTruthy();
  });
});
