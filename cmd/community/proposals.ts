// `ofpds community proposals <community>`: net.openfederation.community.listProposals, newest first.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";
import type { TallyView } from "./_governance.ts";

type ProposalList = Output<"net.openfederation.community.listProposals">;

export default defineCommand({
  meta: {
    name: "proposals",
    description: [
      "List a community's proposals, newest first. Examples:",
      "  ofpds community proposals gardeners --status open",
      "  ofpds community proposals gardeners --all --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    status: { type: "string", description: "open, approved, rejected, expired or failed" },
    ...pagingArgs("proposals"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const communityDid = await normalizeRef(client, args.community);
    const auth = client.savedSession() ? "access" : "none";
    const page = (cursor: string | undefined) => client.query(nsid("listProposals"), { communityDid, status: args.status, limit, cursor }, auth);
    const result: Partial<ProposalList> = await listPages("proposals", args, page);
    out.data(result, (r: ProposalList) =>
      table(r.proposals, [
        ["RKEY", "rkey"],
        ["STATUS", "status"],
        ["TARGET", (p) => `${p.targetCollection}/${p.targetRkey}`],
        ["ACTION", "action"],
        ["FOR", (p) => String((p.tally as TallyView).for)],
        ["AGAINST", (p) => String((p.tally as TallyView).against)],
        ["EXPIRES", "expiresAt"],
      ], "(no proposals)"),
    );
    if (result.cursor && !out.json) out.info(`next page: --cursor ${result.cursor}`);
  },
});
