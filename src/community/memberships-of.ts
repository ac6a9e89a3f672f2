// An account's community memberships for its export (06 §4): every community listMine shows it, all pages.
import type { CommunityService } from "./service.ts";

export async function membershipsOf(communities: Pick<CommunityService, "listMine">, did: string): Promise<Array<{ communityDid: string; handle: string; role: string; joinedAt: string }>> {
  const out: Array<{ communityDid: string; handle: string; role: string; joinedAt: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await communities.listMine({ limit: 100, ...(cursor !== undefined ? { cursor } : {}) }, did);
    for (const c of page.communities) out.push({ communityDid: c.did, handle: c.handle, role: c.role, joinedAt: c.joinedAt });
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}
