// The community implementation of the repo layer's RepoAccessPolicy (03 §3 writes, §9 reads), wired in src/services.ts.
import { inArray } from "drizzle-orm";
import type { AuthResult } from "../caller.ts";
import type { RepoAccessPolicy, RepoActivity } from "../repo/access-policy.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { assertCommunityReadable, assertCommunityWritable, communityActivity } from "./repo-access.ts";
import { findCommunity, type GateCtx } from "./gate.ts";

/** Statuses a public community is listed in by listRepos (creating/importing repos do not exist yet). */
const LISTED = new Set(["active", "suspended", "takendown", "migrated"]);

export class CommunityRepoPolicy implements RepoAccessPolicy {
  constructor(private readonly gate: GateCtx) {}

  private row(identifier: string): Promise<CommunityRow | undefined> {
    return findCommunity(this.gate, identifier);
  }

  async find(identifier: string): Promise<{ did: string; handle: string } | undefined> {
    const c = await this.row(identifier);
    return c ? { did: c.did, handle: `${c.name}.${this.gate.config.handleDomain}` } : undefined;
  }

  async assertReadable(did: string, auth: AuthResult): Promise<void> {
    const c = await this.row(did);
    if (c) await assertCommunityReadable(this.gate, c, auth);
  }

  async assertWritable(did: string, auth: AuthResult, needs: ReadonlyArray<"write" | "delete">): Promise<void> {
    const c = await this.row(did);
    if (c) await assertCommunityWritable(this.gate, c, auth, needs);
  }

  async activityOf(did: string): Promise<RepoActivity | null | undefined> {
    const c = await this.row(did);
    return c ? communityActivity(c) : undefined;
  }

  async listed(dids: readonly string[]): Promise<Map<string, RepoActivity>> {
    const out = new Map<string, RepoActivity>();
    if (dids.length === 0) return out;
    const rows = await this.gate.db.orm.select({ did: communities.did, status: communities.status, visibility: communities.visibility }).from(communities).where(inArray(communities.did, [...dids])).all();
    for (const c of rows) {
      const activity = c.visibility === "public" && LISTED.has(c.status) ? communityActivity(c) : null;
      if (activity) out.set(c.did, activity);
    }
    return out;
  }
}
