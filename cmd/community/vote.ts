// `ofpds community vote <community> <rkey> for|against`: net.openfederation.community.voteOnProposal.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { UsageError } from "../_shared/errors.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";
import { tallyLine } from "./_governance.ts";

export default defineCommand({
  meta: { name: "vote", description: "Vote on an open proposal. Examples: ofpds community vote gardeners 3lbq2x7kxc22y for · … against --json" },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    rkey: { type: "positional", required: true, description: "The proposal's rkey" },
    vote: { type: "positional", required: true, description: "for or against" },
  },
  async run({ args }) {
    if (args.vote !== "for" && args.vote !== "against") throw new UsageError(`The vote is for or against, not ${args.vote}`);
    const { out, client, did } = await openCommunityCommand(args);
    const r = await client.procedure(nsid("voteOnProposal"), { communityDid: did, proposalRkey: args.rkey, vote: args.vote });
    out.data(r, () => `Vote recorded: the proposal is ${r.status}${r.applied ? " (applied)" : ""}\n${tallyLine(r.tally)}`);
  },
});
