// Unit tests for the Database contract on the engine under test: migrations, transactions, hooks, isolation, notify, lock.
import { afterAll, describe, expect, test } from "bun:test";
import { Database as SqliteConnection } from "bun:sqlite";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { Database } from "./database.ts";
import { SchemaTooNewError } from "./database.ts";
import { SqliteDatabase } from "./sqlite-database.ts";
import { SCHEMA_VERSION } from "../migrations.ts";
import { serverMeta } from "./schema.ts";
import { acquireDataDirLock, DataDirLockedError } from "./lock.ts";
import { tempDir } from "../../test/_support/process.ts";
import { onPostgres, openTestDatabase } from "../../test/_support/db.ts";

const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));
function freshDir(): string {
  const d = tempDir("ofpds-db-");
  dirs.push(d);
  return d.path;
}
const freshDb = (): Promise<Database> => openTestDatabase(freshDir());
const now = () => new Date().toISOString();

describe("migrations", () => {
  test("a new database is migrated to the current schema", async () => {
    const db = await freshDb();
    expect(await db.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(db.dialect).toBe(onPostgres ? "postgres" : "sqlite");
    await db.close();
  });
  test("reopening is a no-op", async () => {
    const dir = freshDir();
    await (await openTestDatabase(dir)).close();
    const again = await openTestDatabase(dir);
    expect(await again.schemaVersion()).toBe(SCHEMA_VERSION);
    await again.close();
  });
  test("a schema newer than the binary is refused", async () => {
    const dir = freshDir();
    const db = await openTestDatabase(dir);
    await db.transaction((tx) => tx.raw.run("INSERT INTO _migrations (id, name, applied_at) VALUES (?, 'future', ?)", [SCHEMA_VERSION + 1, now()]));
    await db.close();
    await expect(openTestDatabase(dir)).rejects.toThrow(SchemaTooNewError);
  });
});

describe.skipIf(onPostgres)("SQLite file", () => {
  test("WAL is on", async () => {
    const db = (await freshDb()) as SqliteDatabase;
    const raw = new SqliteConnection(db.path);
    expect(raw.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    raw.close();
    await db.close();
  });
  test("a lower id that lands after a higher one is still applied", async () => {
    const dir = freshDir();
    const m = (id: number) => ({ id, name: `m${id}`, sqlite: [`CREATE TABLE t${id} (x INTEGER)`] });
    await (await SqliteDatabase.open({ dataDir: dir, migrations: [m(1), m(3)] })).close();
    const second = await SqliteDatabase.open({ dataDir: dir, migrations: [m(1), m(2), m(3)] });
    expect((await second.raw.all<{ id: number }>("SELECT id FROM _migrations ORDER BY id")).map((r) => r.id)).toEqual([1, 2, 3]);
    expect((await second.raw.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 't2'"))?.n).toBe(1);
    await second.close();
  });
});

describe("transactions", () => {
  test("commit, then after-commit hooks run; the reader never sees uncommitted rows", async () => {
    const db = await freshDb();
    const seen: string[] = [];
    await db.transaction(async (tx) => {
      await tx.orm.insert(serverMeta).values({ key: "a", value: "1", updatedAt: now() }).run();
      tx.afterCommit(() => seen.push("hook"));
      expect(await db.orm.select().from(serverMeta).where(eq(serverMeta.key, "a")).all()).toEqual([]);
      expect((await tx.orm.select().from(serverMeta).where(eq(serverMeta.key, "a")).get())?.value).toBe("1");
    });
    expect(seen).toEqual(["hook"]);
    expect((await db.orm.select().from(serverMeta).where(eq(serverMeta.key, "a")).get())?.value).toBe("1");
    await db.close();
  });
  test("a throwing callback rolls back and skips hooks", async () => {
    const db = await freshDb();
    let hookRan = false;
    await expect(
      db.transaction(async (tx) => {
        await tx.orm.insert(serverMeta).values({ key: "b", value: "1", updatedAt: now() }).run();
        tx.afterCommit(() => (hookRan = true));
        await Bun.sleep(1);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(hookRan).toBe(false);
    expect(await db.orm.select().from(serverMeta).where(eq(serverMeta.key, "b")).all()).toEqual([]);
    await db.close();
  });
  test("concurrent async transactions are serialised: no lost update", async () => {
    const db = await freshDb();
    await db.transaction((tx) => tx.orm.insert(serverMeta).values({ key: "n", value: "0", updatedAt: now() }).run());
    await Promise.all(
      Array.from({ length: 50 }, () =>
        db.transaction(async (tx) => {
          const cur = Number((await tx.orm.select().from(serverMeta).where(eq(serverMeta.key, "n")).get())!.value);
          await Bun.sleep(0); // yield mid-transaction: interleaving would lose updates
          await tx.orm.update(serverMeta).set({ value: String(cur + 1) }).where(eq(serverMeta.key, "n")).run();
        }),
      ),
    );
    expect((await db.orm.select().from(serverMeta).where(eq(serverMeta.key, "n")).get())?.value).toBe("50");
    await db.close();
  });
  test("raw SQL: placeholders, changed-row counts, byte-wise text order, integers and bytes round-trip", async () => {
    const db = await freshDb();
    const changed = await db.transaction(async (tx) => {
      await tx.raw.runMany("INSERT INTO server_meta (key, value, updated_at) VALUES (?, ?, ?)", [["B", "x", "1"], ["a", "y", "2"], ["_", "z", "3"]]);
      return tx.raw.run("UPDATE server_meta SET value = ? WHERE key <> ?", ["w", "a"]);
    });
    expect(changed).toBe(2);
    expect((await db.raw.all<{ key: string }>("SELECT key FROM server_meta ORDER BY key")).map((r) => r.key)).toEqual(["B", "_", "a"]);
    const n = await db.raw.get<{ n: number; big: number }>("SELECT count(*) AS n, CAST(? AS BIGINT) AS big FROM server_meta", [Date.UTC(2026, 0, 1)]);
    expect(n).toEqual({ n: 3, big: Date.UTC(2026, 0, 1) });
    await db.close();
  });
  test("notify reaches listeners after commit only", async () => {
    const db = await freshDb();
    const heard: string[] = [];
    const stop = await db.listen("test", (p) => heard.push(p));
    await db.transaction((tx) => tx.notify("test", "one"));
    await db.transaction(async (tx) => {
      await tx.notify("test", "rolled back");
      throw new Error("no");
    }).catch(() => {});
    expect(heard).toEqual(["one"]);
    stop();
    await db.close();
  });
  test("ping is true while open and false after close", async () => {
    const db = await freshDb();
    expect(await db.ping()).toBe(true);
    await db.close();
    expect(await db.ping()).toBe(false);
  });
});

describe("data-set lock", () => {
  test("a second holder is refused until the first releases", () => {
    const dir = freshDir();
    const first = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    first.release();
    const second = acquireDataDirLock(dir);
    second.release();
    expect(join(dir, "ofpds.lock")).toBeTruthy();
  });
});
