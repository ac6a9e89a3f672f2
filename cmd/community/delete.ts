// `ofpds community delete <did|handle>`: net.openfederation.community.delete (owner, or admin) after typing the handle (or --confirm/-y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { communityArg, confirmArg, confirmTyped, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "delete",
    description: [
      "Delete a community for good: repository, keys, join requests and exports; did:plc is tombstoned. Examples:",
      "  ofpds community export gardeners -o gardeners.json && ofpds community delete gardeners",
      "  ofpds community delete did:plc:abc123 --confirm gardeners.example.org --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...confirmArg,
    ...communityArg,
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    await confirmTyped(client, did, args, "Delete");
    const r = await client.procedure(nsid("delete"), { did });
    out.data(r, () => [`Deleted ${args.community}`, ...(r.instructions ? ["", r.instructions] : [])].join("\n"));
  },
});
