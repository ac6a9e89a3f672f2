// Rebuilds the external_keys projection of one DID from its repo records, inside the importRepo transaction (06 §6).
import { and, asc, eq } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { records } from "../repo/schema.ts";
import { DomainError } from "../errors.ts";
import { externalKeys } from "./external-keys-schema.ts";
import { parseExternalKey } from "./external-key-format.ts";
import { EXTERNAL_KEY_COLLECTION, MAX_KEYS_PER_ACCOUNT, PURPOSE_RE, RKEY_RE } from "./external-keys.ts";

export interface ReindexResult {
  indexed: number;
  /** records kept in the repo but not indexed (not resolvable), with the reason */
  skipped: Array<{ rkey: string; reason: string }>;
}

// RFC 3339 with a timezone, as the lexicon's datetime format requires
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Why a stored record cannot be indexed, or undefined when it can (the same rules as setExternalKey). */
function problemOf(rkey: string, v: Record<string, unknown>): string | undefined {
  if (!RKEY_RE.test(rkey)) return "invalid rkey";
  const { type, purpose, publicKey, label, createdAt } = v;
  if (typeof type !== "string" || typeof publicKey !== "string") return "type and publicKey must be strings";
  if (typeof purpose !== "string" || !PURPOSE_RE.test(purpose)) return "purpose must be 1–64 printable ASCII characters";
  if (label !== undefined && (typeof label !== "string" || label.length > 1000)) return "invalid label";
  if (typeof createdAt !== "string" || !DATETIME_RE.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return "invalid createdAt";
  try {
    parseExternalKey(type, publicKey);
  } catch (err) {
    if (err instanceof DomainError) return err.message;
    throw err;
  }
  return undefined;
}

/**
 * Replaces every external_keys row of `did` with rows for the externalKey records now in its repo. Runs in the
 * import's transaction (after the records were written, before commit), so a concurrent resolveByKey sees either
 * the old index or the new one, never a mix. Records that fail the setExternalKey rules stay in the repo
 * untouched (the user's data is never dropped) but are not indexed; past MAX_KEYS_PER_ACCOUNT the rest by rkey
 * order is skipped the same way. The claim time is the record's createdAt (the key was claimed then, on the
 * old server), normalised to UTC ISO so the keyset cursor's string order holds, and clamped to `now`: a
 * future-dated record cannot sort after every honest claim made later (docs/keys.md).
 */
export async function reindexExternalKeysInTx(tx: Tx, did: string, now: number): Promise<ReindexResult> {
  await tx.orm.delete(externalKeys).where(eq(externalKeys.did, did)).run();
  const rows = await tx.orm
    .select({ rkey: records.rkey, cid: records.cid, value: records.value })
    .from(records)
    .where(and(eq(records.did, did), eq(records.collection, EXTERNAL_KEY_COLLECTION)))
    .orderBy(asc(records.rkey))
    .all();
  const result: ReindexResult = { indexed: 0, skipped: [] };
  for (const r of rows) {
    let v: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(r.value);
      v = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch {
      v = {};
    }
    const problem = problemOf(r.rkey, v);
    if (problem) {
      result.skipped.push({ rkey: r.rkey, reason: problem });
      continue;
    }
    if (result.indexed >= MAX_KEYS_PER_ACCOUNT) {
      result.skipped.push({ rkey: r.rkey, reason: `more than ${MAX_KEYS_PER_ACCOUNT} keys` });
      continue;
    }
    const createdAt = new Date(Math.min(Date.parse(v.createdAt as string), now)).toISOString();
    const label = typeof v.label === "string" ? v.label : null;
    await tx.orm
      .insert(externalKeys)
      .values({ did, rkey: r.rkey, cid: r.cid, type: v.type as string, purpose: v.purpose as string, publicKey: v.publicKey as string, label, createdAt })
      .run();
    result.indexed++;
  }
  return result;
}
