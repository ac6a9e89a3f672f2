// importLog: replay an audit log (JSON array) or export (JSON lines) through the §3 validator,
// each op with its recorded createdAt as the clock; failures are reported and skipped.
import { cidForOp } from "./ops/encoding.ts";
import { PlcError, type PlcRule } from "./ops/errors.ts";
import { createMemoryDidLock } from "./store/lock.ts";
import { PlcStore } from "./store/store.ts";
import { PlcWriter } from "./store/writer.ts";

export interface ImportRejection {
  /** 0-based position of the entry in the file */
  index: number;
  /** "" when the entry has none */
  did: string;
  cid: string;
  rule: PlcRule | "entry";
  message: string;
}

export interface ImportReport {
  entries: number;
  accepted: number;
  /** entries already present in the database (re-imports are idempotent) */
  skipped: number;
  rejected: ImportRejection[];
}

export function parseLogText(fileText: string): unknown[] {
  const text = fileText.trim();
  if (text === "") return [];
  if (text.startsWith("[")) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error("expected a JSON array of audit-log entries");
    return parsed;
  }
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        throw new Error(`line ${i + 1} is not valid JSON`);
      }
    });
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export async function importLog(dbPath: string, fileText: string): Promise<ImportReport> {
  const entries = parseLogText(fileText);
  const store = PlcStore.open(dbPath);
  const writer = new PlcWriter(store, createMemoryDidLock());
  const report: ImportReport = { entries: entries.length, accepted: 0, skipped: 0, rejected: [] };
  try {
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index] as Record<string, unknown> | null;
      const reject = (did: string | null, cid: string | null, rule: ImportRejection["rule"], message: string) =>
        report.rejected.push({ index, did: did ?? "", cid: cid ?? "", rule, message });
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        reject(null, null, "entry", "entry is not an object");
        continue;
      }
      const did = typeof entry.did === "string" ? entry.did : null;
      const createdAt = typeof entry.createdAt === "string" ? entry.createdAt : null;
      const recordedCid = typeof entry.cid === "string" ? entry.cid : null;
      if (!did || !createdAt || !ISO_RE.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
        reject(did, recordedCid, "entry", "entry needs a did and an ISO-8601 createdAt");
        continue;
      }
      let cid: string;
      try {
        cid = cidForOp(entry.operation);
      } catch {
        reject(did, recordedCid, "schema", "Not a valid operation: not encodable as DAG-CBOR");
        continue;
      }
      if (recordedCid !== null && recordedCid !== cid) {
        reject(did, recordedCid, "entry", `recorded cid does not match the operation (computed ${cid})`);
        continue;
      }
      if (store.hasOp(did, cid)) {
        report.skipped++;
        continue;
      }
      try {
        await writer.submit(did, entry.operation, { mode: "import", clock: Date.parse(createdAt) });
        report.accepted++;
      } catch (err) {
        if (!(err instanceof PlcError)) throw err;
        reject(did, cid, err.rule, err.message);
      }
    }
  } finally {
    store.close();
  }
  return report;
}
