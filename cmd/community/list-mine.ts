// `ofpds community list-mine`: net.openfederation.community.listMine (your memberships and roles).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type ListMine = Output<"net.openfederation.community.listMine">;

export default defineCommand({
  meta: {
    name: "list-mine",
    description: [
      "List the communities you belong to, with your role. Examples:",
      "  ofpds community list-mine",
      "  ofpds community list-mine --all --json   (every page as one {communities, total} document)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...pagingArgs("communities"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const page = (cursor: string | undefined) => client.query(nsid("listMine"), { limit, cursor });
    const result: Partial<ListMine> = await listPages("communities", args, page);
    out.data(result, (r: ListMine) =>
      table(r.communities, [
        ["HANDLE", "handle"],
        ["DID", "did"],
        ["NAME", "displayName"],
        ["ROLE", "role"],
        ["STATUS", "status"],
        ["JOINED", "joinedAt"],
      ], "(you are not a member of any community)"),
    );
    if (result.cursor && !out.json) out.info(`next page: --cursor ${result.cursor}`);
  },
});
