// verifyAll: re-validate every DID's full stored log and report where it disagrees with the store.
import { PlcError } from "./ops/errors.ts";
import type { LogEntry } from "./ops/types.ts";
import { validateOp } from "./ops/validate.ts";
import { PlcStore, rowToEntry } from "./store/store.ts";

export interface VerifyMismatch {
  did: string;
  cid: string | null;
  message: string;
}

export interface VerifyReport {
  dids: number;
  ops: number;
  mismatches: VerifyMismatch[];
}

/** Replay one DID's stored log in seq order; returns mismatches (empty when the log is consistent). */
export async function verifyDidLog(did: string, stored: readonly LogEntry[]): Promise<VerifyMismatch[]> {
  const mismatches: VerifyMismatch[] = [];
  const replay: LogEntry[] = [];
  for (const entry of stored) {
    try {
      const v = await validateOp(did, replay, entry.operation, { mode: "import", time: Date.parse(entry.createdAt) });
      if (v.cid !== entry.cid) mismatches.push({ did, cid: entry.cid, message: `stored cid differs from computed ${v.cid}` });
      for (const e of replay) if (v.nullifies.includes(e.cid)) e.nullified = true;
      replay.push({ ...entry, nullified: false });
    } catch (err) {
      if (!(err instanceof PlcError)) throw err;
      mismatches.push({ did, cid: entry.cid, message: err.message });
      // Keep the op (as stored) so later ops are judged against what readers actually see.
      replay.push({ ...entry });
    }
  }
  for (let i = 0; i < stored.length; i++) {
    const s = stored[i]!;
    const r = replay[i]!;
    if (s.nullified !== r.nullified)
      mismatches.push({ did, cid: s.cid, message: `stored nullified=${s.nullified} but replay gives ${r.nullified}` });
  }
  return mismatches;
}

export async function verifyAll(dbPath: string): Promise<VerifyReport> {
  const store = PlcStore.open(dbPath);
  const report: VerifyReport = { dids: 0, ops: 0, mismatches: [] };
  try {
    for (const did of [...store.dids()]) {
      const rows = store.rows(did);
      report.dids++;
      report.ops += rows.length;
      report.mismatches.push(...(await verifyDidLog(did, rows.map(rowToEntry))));
    }
  } finally {
    store.close();
  }
  return report;
}
