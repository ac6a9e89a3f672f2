// com.atproto.sync.getBlocks: a CAR of the requested blocks of the repo (1–1000); any missing → BlockNotFound.
import { CID } from "multiformats/cid";
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { rawOutput } from "../../../../xrpc/types.ts";
import { XrpcError, invalidRequest } from "../../../../xrpc/errors.ts";
import { blocksToCar } from "../../../../repo/car.ts";
import { getRepoBlocks } from "../../../../repo/sync-reads.ts";

export const MAX_BLOCKS = 1000;

export async function handler({ ctx, params, auth }: MethodArgs<"com.atproto.sync.getBlocks">): Promise<MethodResult<"com.atproto.sync.getBlocks">> {
  const wanted = [...new Set(params.cids ?? [])];
  if (wanted.length < 1 || wanted.length > MAX_BLOCKS) throw invalidRequest(`cids must list 1–${MAX_BLOCKS} CIDs`);
  const { did } = await ctx.services.repoAccess.readable(params.did, auth);
  // spec 10 §8 item 3: a CID of valid syntax that does not decode matches no block (BlockNotFound, not 500)
  const undecodable = wanted.filter((c) => !decodes(c));
  if (undecodable.length > 0) throw new XrpcError(400, "BlockNotFound", `Could not find blocks: ${undecodable.join(", ")}`);
  const { blocks, missing } = await getRepoBlocks(ctx.db, did, wanted.map((c) => CID.parse(c)));
  if (missing.length > 0) throw new XrpcError(400, "BlockNotFound", `Could not find blocks: ${missing.map(String).join(", ")}`);
  return rawOutput("application/vnd.ipld.car", blocksToCar(null, blocks) as Uint8Array<ArrayBuffer>);
}

function decodes(cid: string): boolean {
  try {
    CID.parse(cid);
    return true;
  } catch {
    return false;
  }
}
