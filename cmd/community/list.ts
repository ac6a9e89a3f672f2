// `ofpds community list`: net.openfederation.community.listAll, newest first; --mode all for staff.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type ListAll = Output<"net.openfederation.community.listAll">;

export default defineCommand({
  meta: {
    name: "list",
    description: [
      "List communities, newest first (public and active ones; --mode all: every one, for staff). Examples:",
      "  ofpds community list",
      "  ofpds community list --search garden --include-mine",
      "  ofpds community list --mode all --all --json   (every page as one {communities, total} document)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    mode: { type: "string", description: "public (default) or all (admin, moderator, auditor)" },
    search: { type: "string", description: "Match the name or display name (at most 100 characters)" },
    "include-mine": { type: "boolean", description: "Include communities you are a member of" },
    ...pagingArgs("communities"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    if (args.mode !== undefined && args.mode !== "public" && args.mode !== "all") throw new UsageError(`--mode must be public or all (got ${args.mode})`);
    const limit = intFlag(args.limit, "limit", 100);
    const auth = client.savedSession() ? "access" : "none";
    const page = (cursor: string | undefined) =>
      client.query(nsid("listAll"), { mode: args.mode, q: args.search, includeMine: args["include-mine"] ? true : undefined, limit, cursor }, auth);
    const result: Partial<ListAll> = await listPages("communities", args, page);
    out.data(result, (r: ListAll) =>
      table(r.communities, [
        ["HANDLE", "handle"],
        ["DID", "did"],
        ["NAME", "displayName"],
        ["STATUS", "status"],
        ["VISIBILITY", "visibility"],
        ["JOIN", "joinPolicy"],
        ["MEMBERS", "memberCount"],
        ["CREATED", "createdAt"],
      ], "(no communities)"),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
