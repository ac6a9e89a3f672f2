// `ofpds community untakedown <did|handle>`: net.openfederation.community.untakedown (staff: admin).
import { defineCommand } from "citty";
import type { RequestBody } from "../_shared/client.ts";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "untakedown",
    description: [
      "Reverse a takedown: the community returns to its previous status. Examples:",
      "  ofpds community untakedown gardeners",
      "  ofpds community untakedown did:plc:abc123 --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const body: RequestBody<"net.openfederation.community.untakedown"> = { did };
    const r = await client.procedure(nsid("untakedown"), body);
    out.data(r, () => `Restored ${args.community} (${r.did}): ${r.status}`);
  },
});

