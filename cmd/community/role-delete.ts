// `ofpds community role-delete <did|handle> <rkey>`: net.openfederation.community.deleteRole after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "role-delete",
    description: ["Delete a role nobody holds (never owner or member). Examples:", "  ofpds community role-delete gardeners 3kabc…", "  ofpds community role-delete gardeners 3kabc… -y --json"].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...yesArg, ...communityArg,
    rkey: { type: "positional", required: true, description: "The role's rkey (see `ofpds community roles`)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    await confirmAction(args, `Delete role ${args.rkey} of ${did}?`);
    const r = await client.procedure(nsid("deleteRole"), { communityDid: did, rkey: args.rkey });
    out.data(r, () => `Deleted role ${args.rkey} of ${did}`);
  },
});
