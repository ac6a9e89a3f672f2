// Transfer constants, errors and helpers shared by the owner side, the destination-facing calls and import.ts (04 §8).
import { createHash } from "node:crypto";
import type { Orm } from "../db/database.ts";
import { DomainError } from "../errors.ts";
import { sqliteOf } from "../db/sqlite.ts";

export const TRANSFER_TTL_MS = 24 * 3_600_000;
export const MAX_TRANSFER_DOWNLOADS = 5;

export const transferNotFound = () => new DomainError("notFound", "TransferNotFound", "Transfer not found");
export const didNotUpdated = (message = "The DID document does not point to the destination yet; try again shortly") =>
  new DomainError("conflict", "DidNotUpdated", message);

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/** The repo head read on the given connection (inside a write transaction: the serialised, current one). */
export function headOf(orm: Orm, did: string): { commit_cid: string; rev: string } | undefined {
  return sqliteOf(orm).query<{ commit_cid: string; rev: string }, [string]>("SELECT commit_cid, rev FROM repo_roots WHERE did = ?").get(did) ?? undefined;
}
