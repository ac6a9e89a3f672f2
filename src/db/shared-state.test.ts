// SharedWindows / SharedMarks on the engine under test: windows count and reset, marks are single-use until they expire.
import { afterAll, expect, test } from "bun:test";
import { SharedMarks, SharedWindows } from "./shared-state.ts";
import { tempDir } from "../../test/_support/process.ts";
import { openTestDatabase } from "../../test/_support/db.ts";

const dir = tempDir("ofpds-shared-");
afterAll(() => dir.cleanup());

test("a window counts concurrent hits exactly and starts again after it ends; marks are single-use until expiry", async () => {
  const db = await openTestDatabase(dir.path);
  const w = new SharedWindows(db, "t:");
  const hits = await Promise.all(Array.from({ length: 20 }, () => w.hit("ip", 1000, 5000)));
  expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(new Set(hits.map((h) => h.resetAt))).toEqual(new Set([6000]));
  expect(await w.hit("ip", 1000, 6000)).toEqual({ count: 1, resetAt: 7000 });
  const m = new SharedMarks(db, "jti:");
  const claims = await Promise.all(Array.from({ length: 10 }, () => m.claim("abc", 2000, 1000)));
  expect(claims.filter(Boolean).length).toBe(1);
  expect(await m.claim("abc", 3000, 1999)).toBe(false);
  expect(await m.claim("abc", 4000, 2000)).toBe(true);
  await db.close();
});
