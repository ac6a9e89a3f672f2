// What an account deletion (06 §1) asks the communities: the ones the account owns (it may not be deleted while it
// owns any), and its removal from every community it belongs to, inside the deletion's own transaction.
import { and, eq, ne } from "drizzle-orm";
import type { Orm, Tx } from "../db/database.ts";
import type { WriteOp } from "../repo/service.ts";
import { communities, communityMembers, joinRequests } from "./schema.ts";
import { COL } from "./permissions.ts";
import { delegationsTo } from "./membership.ts";
import type { CommunityService } from "./service.ts";

export class CommunityAccountRemoval {
  constructor(private readonly communities: Pick<CommunityService, "handleOf" | "writer">) {}

  /** Handles of the communities `did` owns (a community that moved to another server is no longer ours to count). */
  async ownedBy(orm: Orm, did: string): Promise<string[]> {
    return (await orm.select({ name: communities.name }).from(communities)
      .where(and(eq(communities.ownerDid, did), ne(communities.status, "migrated"))).all())
      .map((r) => this.communities.handleOf(r)).sort();
  }

  /**
   * One signed commit per community the account belongs to: its member record, its own delegation record and every
   * delegation naming it as delegate (delegations both ways, 06 §1); then its join requests everywhere. In the
   * caller's transaction, so the records go together with the account or not at all. Returns the communities
   * committed to. The membership projection is read in the transaction: no join can slip in meanwhile.
   */
  async removeEverywhereInTx(tx: Tx, did: string): Promise<string[]> {
    const rows = await tx.orm.select({ communityDid: communityMembers.communityDid, status: communities.status })
      .from(communityMembers).innerJoin(communities, eq(communities.did, communityMembers.communityDid))
      .where(eq(communityMembers.memberDid, did)).all();
    const done: string[] = [];
    for (const { communityDid, status } of rows) {
      if (status === "migrated" || status === "creating") continue; // no repo of ours to write to
      const incoming = (await delegationsTo(tx.orm, communityDid, did)).filter((rkey) => rkey !== did);
      const ops: WriteOp[] = [
        { action: "delete", collection: COL.member, rkey: did, ifExists: true },
        { action: "delete", collection: COL.delegation, rkey: did, ifExists: true },
        ...incoming.map((rkey): WriteOp => ({ action: "delete", collection: COL.delegation, rkey, ifExists: true })),
      ];
      await this.communities.writer.writeInTx(tx, communityDid, ops);
      done.push(communityDid);
    }
    await tx.orm.delete(joinRequests).where(eq(joinRequests.did, did)).run();
    return done;
  }
}
