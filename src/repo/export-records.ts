// The records part of a JSON export (community.export 04 §4, account.export 06 §4): every record by collection.
import type { RepoService } from "./service.ts";

export type ExportedRecord = { rkey: string; cid: string; record: unknown };

const PAGE = 1000;

/** Every record of `did` by collection (collections sorted, rkey ascending), paged through listRecords. */
export async function recordsByCollection(repo: Pick<RepoService, "collections" | "listRecords">, did: string): Promise<{ collections: Record<string, ExportedRecord[]>; totalRecords: number }> {
  const collections: Record<string, ExportedRecord[]> = {};
  let totalRecords = 0;
  for (const nsid of await repo.collections(did)) {
    const list: ExportedRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.listRecords(did, nsid, { limit: PAGE, reverse: true, ...(cursor !== undefined ? { cursor } : {}) });
      for (const r of page.records) list.push({ rkey: r.uri.slice(r.uri.lastIndexOf("/") + 1), cid: r.cid, record: r.value });
      cursor = page.cursor;
    } while (cursor !== undefined);
    collections[nsid] = list;
    totalRecords += list.length;
  }
  return { collections, totalRecords };
}
