// The accounts' side of the repo layer's access checks (AccountRepoLookup): account statuses by DID, batched.
import { inArray } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { accounts } from "./schema.ts";

export async function accountStatuses(orm: Orm, dids: readonly string[]): Promise<Map<string, string>> {
  if (dids.length === 0) return new Map();
  const rows = await orm.select({ did: accounts.did, status: accounts.status }).from(accounts).where(inArray(accounts.did, [...dids])).all();
  return new Map(rows.map((r) => [r.did, r.status]));
}
