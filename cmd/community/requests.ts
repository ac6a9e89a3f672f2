// `ofpds community requests <did|handle>`: net.openfederation.community.listJoinRequests (pending by default), oldest first.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type RequestList = Output<"net.openfederation.community.listJoinRequests">;

export default defineCommand({
  meta: {
    name: "requests",
    description: [
      "List join requests of a community (pending ones unless --status). Examples:",
      "  ofpds community requests gardeners",
      "  ofpds community requests gardeners --status rejected --json",
      "  ofpds community approve-request <id>   (then)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    status: { type: "string", description: "pending (default), approved or rejected" },
    ...pagingArgs("requests"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    if (args.status !== undefined && !["pending", "approved", "rejected"].includes(args.status)) throw new UsageError(`--status must be pending, approved or rejected (got ${args.status})`);
    const limit = intFlag(args.limit, "limit", 100);
    const did = await normalizeRef(client, args.community);
    const page = (cursor: string | undefined) => client.query(nsid("listJoinRequests"), { did, status: args.status, limit, cursor });
    const result: Partial<RequestList> = await listPages("requests", args, page);
    out.data(result, (r: RequestList) =>
      table(r.requests, [
        ["ID", "id"],
        ["HANDLE", "handle"],
        ["DID", "did"],
        ["STATUS", "status"],
        ["REQUESTED", "createdAt"],
        ["RESOLVED", "resolvedAt"],
      ], "(no join requests)"),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
