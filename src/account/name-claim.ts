// The accounts' claim on the shared handle namespace: a name is held by any account not rejected.
import { and, eq, ne } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { accounts } from "./schema.ts";

export async function accountNameHolder(orm: Orm, name: string): Promise<string | undefined> {
  return (await orm.select({ did: accounts.did }).from(accounts).where(and(eq(accounts.name, name), ne(accounts.status, "rejected"))).get())?.did;
}
