// did:plc interop vectors: valid logs import fully with identical nullified flags; invalid logs have
// exactly the offending op rejected, for the right rule, and leave a consistent store behind.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { importLog, verifyAll, type ImportRejection } from "../../plc/index.ts";
import { PlcStore } from "../../plc/store/store.ts";
import { tempDbPath } from "./_support.ts";

const VECTORS = fileURLToPath(new URL("../fixtures/plc", import.meta.url));

interface Entry {
  did: string;
  cid: string;
  nullified: boolean;
  createdAt: string;
  operation: Record<string, unknown>;
}

function load(kind: string, file: string): { text: string; entries: Entry[] } {
  const text = readFileSync(`${VECTORS}/audit_log/${kind}/${file}`, "utf8");
  return { text, entries: JSON.parse(text) };
}

function storedFlags(dbPath: string, did: string) {
  const store = PlcStore.open(dbPath);
  try {
    return store.log(did).map((e) => ({ cid: e.cid, nullified: e.nullified }));
  } finally {
    store.close();
  }
}

const validFiles = readdirSync(`${VECTORS}/audit_log/valid`).filter((f) => f.endsWith(".json"));
const invalidFiles = readdirSync(`${VECTORS}/audit_log/invalid`).filter((f) => f.endsWith(".json"));

describe("valid audit logs", () => {
  test("there are 10", () => expect(validFiles.length).toBe(10));
  for (const file of validFiles) {
    test(file, async () => {
      const { text, entries } = load("valid", file);
      const { dir, dbPath } = tempDbPath();
      try {
        const report = await importLog(dbPath, text);
        expect(report.rejected).toEqual([]);
        expect(report.accepted).toBe(entries.length);
        expect(storedFlags(dbPath, entries[0]!.did)).toEqual(entries.map((e) => ({ cid: e.cid, nullified: e.nullified })));
        expect((await verifyAll(dbPath)).mismatches).toEqual([]);
        // Re-importing is idempotent.
        const again = await importLog(dbPath, text);
        expect(again).toMatchObject({ accepted: 0, skipped: entries.length, rejected: [] });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** For each invalid vector: which op (index) is rejected, and the rule/message it must be rejected for. */
const EXPECTED: Record<string, { index: number; rule: ImportRejection["rule"]; message: RegExp }> = {
  "log_invalid_nullification_reused_key.json": { index: 2, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_nullification_too_slow.json": {
    index: 2,
    rule: "late_recovery",
    message: /^Recovery operation occurred outside of the allowed 72 hr recovery window/,
  },
  "log_invalid_sig_b64_newline.json": { index: 0, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_sig_b64_padding_bits.json": { index: 0, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_sig_b64_padding_chars.json": { index: 0, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_sig_der.json": { index: 0, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_sig_k256_high_s.json": { index: 0, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_sig_p256_high_s.json": { index: 0, rule: "signature", message: /^Invalid signature on op: / },
  "log_invalid_update_nullified.json": { index: 4, rule: "misordered", message: /^Operations not correctly ordered$/ },
  "log_invalid_update_tombstoned.json": { index: 2, rule: "misordered", message: /^Operations not correctly ordered$/ },
};

describe("invalid audit logs", () => {
  test("there are 10, each with an expectation", () => {
    expect(invalidFiles.length).toBe(10);
    expect(invalidFiles.sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  for (const file of invalidFiles) {
    test(file, async () => {
      const { text, entries } = load("invalid", file);
      const want = EXPECTED[file]!;
      const { dir, dbPath } = tempDbPath();
      try {
        const report = await importLog(dbPath, text);
        expect(report.rejected.length).toBe(1);
        const rej = report.rejected[0]!;
        expect(rej.index).toBe(want.index);
        expect(rej.cid).toBe(entries[want.index]!.cid);
        expect(rej.rule).toBe(want.rule);
        expect(rej.message).toMatch(want.message);
        expect(report.accepted).toBe(entries.length - 1);
        // Remaining state: every other op stored, and no op was nullified by the rejected one.
        const kept = entries.filter((_, i) => i !== want.index);
        const flags = kept.length ? storedFlags(dbPath, entries[0]!.did) : [];
        expect(flags.map((f) => f.cid)).toEqual(kept.map((e) => e.cid));
        // The vector's flags describe the log as if the bad op had been accepted: an op that only the
        // rejected fork would have nullified must still be live; every other flag must match.
        const expectedNullified = (cid: string) =>
          kept.find((k) => k.cid === cid)!.nullified && !wouldBeNullifiedBy(entries, want.index, cid);
        for (const f of flags) expect(f.nullified).toBe(expectedNullified(f.cid));
        expect((await verifyAll(dbPath)).mismatches).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** Would the op at `badIndex` (a fork) have nullified `cid`? True when cid comes after the fork's prev. */
function wouldBeNullifiedBy(entries: Entry[], badIndex: number, cid: string): boolean {
  const prev = entries[badIndex]!.operation.prev;
  const prevIdx = entries.findIndex((e) => e.cid === prev);
  const idx = entries.findIndex((e) => e.cid === cid);
  return prevIdx >= 0 && idx > prevIdx && idx < badIndex;
}
