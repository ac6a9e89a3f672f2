// `ofpds community undelegate <community>`: net.openfederation.community.revokeDelegation.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: { name: "undelegate", description: "Revoke your delegation. Example: ofpds community undelegate gardeners --json" },
  args: { ...globalArgs, ...clientArgs, ...communityArg },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const r = await client.procedure(nsid("revokeDelegation"), { communityDid: did });
    out.data(r, () => `Delegation in ${did} revoked`);
  },
});
