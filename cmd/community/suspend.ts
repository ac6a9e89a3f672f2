// `ofpds community suspend <did|handle>`: net.openfederation.community.suspend (staff: admin) after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import type { RequestBody } from "../_shared/client.ts";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { communityArg, nsid, openCommunityCommand, withReason } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "suspend",
    description: [
      "Suspend a community: a read-only freeze (members may still leave, the owner may still export, delete or move it). Examples:",
      "  ofpds community suspend gardeners --reason 'spam wave'",
      "  ofpds community suspend did:plc:abc123 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...communityArg,
    reason: { type: "string", description: "Why (at most 1000 characters; shown to the owner and kept in the audit log)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    await confirmAction(args, `Suspend ${did}?`);
    const body: RequestBody<"net.openfederation.community.suspend"> = { did };
    if (args.reason) body.reason = args.reason;
    const r = await client.procedure(nsid("suspend"), body);
    out.data(r, () => withReason(`Suspended ${args.community} (${r.did}): ${r.status}`, r.reason));
  },
});

