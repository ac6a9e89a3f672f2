// `ofpds community amend <community> <rkey>`: net.openfederation.community.amendProposal (the proposer only).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";
import { recordFromFile, tallyLine } from "./_governance.ts";

export default defineCommand({
  meta: { name: "amend", description: "Replace your proposal's record; votes reset to you and the TTL restarts. Example: ofpds community amend gardeners 3lbq2x7kxc22y --record-file v2.json --json" },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    rkey: { type: "positional", required: true, description: "The proposal's rkey" },
    "record-file": { type: "string", description: "The new proposed record as a JSON file (- reads stdin)" },
    reason: { type: "string", description: "Why (at most 1000 characters)" },
  },
  async run({ args }) {
    const proposedRecord = recordFromFile(args["record-file"]);
    const { out, client, did } = await openCommunityCommand(args);
    const r = await client.procedure(nsid("amendProposal"), { communityDid: did, proposalRkey: args.rkey, proposedRecord, ...(args.reason ? { reason: args.reason } : {}) });
    out.data(r, () => `Amended ${args.rkey} (${r.amendmentCount} amendment(s), expires ${r.expiresAt})\n${tallyLine(r.tally)}`);
  },
});
