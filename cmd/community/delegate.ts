// `ofpds community delegate <community> <member>`: net.openfederation.community.setDelegation (one hop, replaces yours).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { accountDid, communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: { name: "delegate", description: "Delegate your vote to another voter. Example: ofpds community delegate gardeners alice --json" },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    member: { type: "positional", required: true, description: "Handle or DID of the delegate" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const delegateDid = await accountDid(client, args.member);
    const r = await client.procedure(nsid("setDelegation"), { communityDid: did, delegateDid });
    out.data(r, () => `Your vote in ${did} now follows ${args.member} (${delegateDid}) when you do not vote yourself`);
  },
});
