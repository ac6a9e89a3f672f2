// The communities' claim on the shared handle namespace: a name is held by a community in any status (even takendown).
import { eq } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { communities } from "./schema.ts";

export async function communityNameHolder(orm: Orm, name: string): Promise<string | undefined> {
  return (await orm.select({ did: communities.did }).from(communities).where(eq(communities.name, name)).get())?.did;
}
