// com.atproto.repo.applyWrites: 1–200 creates/updates/deletes, all-or-nothing in one commit.
import type { Input } from "../../../../lexicon-types/index.ts";
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import type { WriteOp } from "../../../../repo/service.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";

const NS = "com.atproto.repo.applyWrites" as const;

type Write = Input<typeof NS>["writes"][number];

function toOp(w: Write): WriteOp {
  switch (w.$type) {
    case "com.atproto.repo.applyWrites#create":
      return { action: "create", collection: w.collection, rkey: w.rkey, record: w.value };
    case "com.atproto.repo.applyWrites#update":
      return { action: "update", collection: w.collection, rkey: w.rkey, record: w.value };
    case "com.atproto.repo.applyWrites#delete":
      return { action: "delete", collection: w.collection, rkey: w.rkey };
    default:
      throw invalidRequest("Unknown write type");
  }
}

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.repo.applyWrites">): Promise<MethodResult<"com.atproto.repo.applyWrites">> {
  const needs = [...new Set(input.writes.map((w) => (w.$type === `${NS}#delete` ? ("delete" as const) : ("write" as const))))];
  const did = await ctx.services.repoAccess.writable(input.repo, auth, needs);
  if (input.writes.length < 1 || input.writes.length > 200) throw invalidRequest("applyWrites takes 1–200 writes");
  const res = await ctx.services.repo.write(did, input.writes.map(toOp), { swapCommit: input.swapCommit, validate: input.validate });
  return {
    commit: res.commit!,
    results: res.results.map((r) =>
      r.action === "delete"
        ? { $type: `${NS}#deleteResult` }
        : { $type: `${NS}#${r.action}Result`, uri: r.uri, cid: r.cid, validationStatus: r.validationStatus },
    ),
  };
}
