// The export rule (06 §2) on its own: revisions decide, not timestamps; the grace period runs on the injected clock.
import { describe, expect, test } from "bun:test";
import { exportRuleSatisfied } from "../../src/community/delete.ts";
import type { CommunityRow } from "../../src/community/schema.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2026-03-01T12:00:00.000Z");

function check(row: Partial<CommunityRow>, head: { rev: string } | null, now = T0): Promise<boolean> {
  const ctx = { deps: { repo: { head: () => head }, config: { takedownExportGraceDays: 14 } }, now: () => now };
  const c = { did: "did:plc:community", status: "active", suspendedAt: null, ownerExportedAt: null, ownerExportedRev: null, ...row };
  return exportRuleSatisfied(ctx as never, c as CommunityRow);
}

describe("exportRuleSatisfied", () => {
  test("an owner export at the head rev satisfies it; one rev behind does not, whatever the timestamps say", async () => {
    expect(await check({ ownerExportedRev: "3mabc2222222a" }, { rev: "3mabc2222222a" })).toBe(true);
    // exported "later" by the clock than the commit landed, but at an older rev: a commit in the same millisecond
    expect(await check({ ownerExportedRev: "3mabc2222222a", ownerExportedAt: "2026-03-01T12:00:00.001Z" }, { rev: "3mabc2222222b" })).toBe(false);
    expect(await check({ ownerExportedRev: "3mabc2222222c" }, { rev: "3mabc2222222b" })).toBe(true);
  });

  test("no owner export → not satisfied (a timestamp alone is not an export rev)", async () => {
    expect(await check({}, { rev: "3mabc2222222a" })).toBe(false);
    expect(await check({ ownerExportedAt: "2030-01-01T00:00:00.000Z" }, { rev: "3mabc2222222a" })).toBe(false);
  });

  test("suspended for the grace period by the injected clock satisfies it; a day short, or active, does not", async () => {
    const suspendedAt = new Date(T0).toISOString();
    expect(await check({ status: "suspended", suspendedAt }, { rev: "3mabc2222222a" }, T0 + 14 * DAY)).toBe(true);
    expect(await check({ status: "takendown", suspendedAt }, { rev: "3mabc2222222a" }, T0 + 14 * DAY)).toBe(true);
    expect(await check({ status: "suspended", suspendedAt }, { rev: "3mabc2222222a" }, T0 + 13 * DAY)).toBe(false);
    expect(await check({ status: "active", suspendedAt }, { rev: "3mabc2222222a" }, T0 + 30 * DAY)).toBe(false);
  });
});
