// `ofpds community unsuspend <did|handle>`: net.openfederation.community.unsuspend (staff: admin) after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import type { RequestBody } from "../_shared/client.ts";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "unsuspend",
    description: [
      "Lift a suspension. Examples:",
      "  ofpds community unsuspend gardeners",
      "  ofpds community unsuspend did:plc:abc123 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...communityArg,
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    await confirmAction(args, `Unsuspend ${did}?`);
    const body: RequestBody<"net.openfederation.community.unsuspend"> = { did };
    const r = await client.procedure(nsid("unsuspend"), body);
    out.data(r, () => `Unsuspended ${args.community} (${r.did}): ${r.status}`);
  },
});

