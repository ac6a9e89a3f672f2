// `ofpds community takedown <did|handle>`: net.openfederation.community.takedown (staff: admin) after typing the handle (or --confirm/-y).
import { defineCommand } from "citty";
import type { RequestBody } from "../_shared/client.ts";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { communityArg, confirmArg, confirmTyped, nsid, openCommunityCommand, withReason } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "takedown",
    description: [
      "Take a community down: hidden from everyone but its owner and staff (the owner can still export, delete or move it). Examples:",
      "  ofpds community takedown gardeners --reason 'illegal content'   (asks you to type the handle)",
      "  ofpds community takedown did:plc:abc123 --confirm gardeners.example.org --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...confirmArg,
    ...communityArg,
    reason: { type: "string", description: "Why (at most 1000 characters; shown to the owner and kept in the audit log)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    await confirmTyped(client, did, args, "Take down");
    const body: RequestBody<"net.openfederation.community.takedown"> = { did };
    if (args.reason) body.reason = args.reason;
    const r = await client.procedure(nsid("takedown"), body);
    out.data(r, () => withReason(`Took down ${args.community} (${r.did}): ${r.status}`, r.reason));
  },
});

