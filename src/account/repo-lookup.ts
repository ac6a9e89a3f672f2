// The accounts' side of the repo layer's access checks (AccountRepoLookup): account statuses by DID, batched.
import { inArray } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { accounts } from "./schema.ts";

export function accountStatuses(orm: Orm, dids: readonly string[]): Map<string, string> {
  if (dids.length === 0) return new Map();
  const rows = orm.select({ did: accounts.did, status: accounts.status }).from(accounts).where(inArray(accounts.did, [...dids])).all();
  return new Map(rows.map((r) => [r.did, r.status]));
}
