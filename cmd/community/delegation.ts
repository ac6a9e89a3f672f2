// `ofpds community delegation <community> [member]`: net.openfederation.community.getDelegation (default: yourself).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { accountDid, communityArg, normalizeRef, nsid } from "./_shared.ts";

export default defineCommand({
  meta: { name: "delegation", description: "Show a member's delegation both ways. Examples: ofpds community delegation gardeners · ofpds community delegation gardeners alice --json" },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    member: { type: "positional", required: false, description: "Handle or DID of the member (default: you)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const communityDid = await normalizeRef(client, args.community);
    const session = client.savedSession();
    const memberDid = args.member ? await accountDid(client, args.member) : session?.did;
    if (!memberDid) throw new UsageError("Give the member, or log in to see your own delegation");
    const r = await client.query(nsid("getDelegation"), { communityDid, memberDid }, session ? "access" : "none");
    out.data(r, () => `${r.memberDid} delegates to ${r.delegatedTo ?? "nobody"}; delegated from: ${r.delegatedFrom.join(", ") || "nobody"}`);
  },
});
