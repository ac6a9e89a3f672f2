// `ofpds community remove-member <community> <member>`: net.openfederation.community.removeMember after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { accountDid, communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "remove-member",
    description: [
      "Remove a member from a community (their delegations and join request go too). Examples:",
      "  ofpds community remove-member gardeners mallory",
      "  ofpds community remove-member did:plc:abc123 did:plc:def456 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...communityArg,
    member: { type: "positional", required: true, description: "Handle or DID of the member" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const memberDid = await accountDid(client, args.member);
    await confirmAction(args, `Remove ${args.member} from ${did}?`);
    const r = await client.procedure(nsid("removeMember"), { did, memberDid });
    out.data(r, () => `Removed ${args.member} (${memberDid}) from ${did}`);
  },
});
