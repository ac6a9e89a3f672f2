// `ofpds community members <did|handle>`: net.openfederation.community.listMembers, oldest first.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type MemberList = Output<"net.openfederation.community.listMembers">;

export default defineCommand({
  meta: {
    name: "members",
    description: [
      "List a community's members, oldest first. Examples:",
      "  ofpds community members gardeners",
      "  ofpds community members did:plc:abc123 --all --json   (every page as one {members, total} document)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    ...pagingArgs("members"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const did = await normalizeRef(client, args.community);
    const auth = client.savedSession() ? "access" : "none";
    const page = (cursor: string | undefined) => client.query(nsid("listMembers"), { did, limit, cursor }, auth);
    const result: Partial<MemberList> = await listPages("members", args, page);
    out.data(result, (r: MemberList) =>
      table(r.members, [
        ["HANDLE", "handle"],
        ["DID", "did"],
        ["ROLE", "role"],
        ["ACTIVE", (m) => (m.active === false ? "no" : "yes")],
        ["JOINED", "joinedAt"],
      ], "(no members)"),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
