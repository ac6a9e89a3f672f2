// `ofpds community member-role <did|handle> <member> <roleRkey>`: net.openfederation.community.updateMemberRole.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { accountDid, communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "member-role",
    description: ["Give a member another role (the owner role changes hands only by transfer-ownership). Examples:", "  ofpds community member-role gardeners alice moderator", "  ofpds community member-role did:plc:abc123 did:plc:def456 3kabc… --json"].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...communityArg,
    member: { type: "positional", required: true, description: "Handle or DID of the member" },
    role: { type: "positional", required: true, description: "The role's rkey (owner, moderator, member, or a custom role's rkey)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const memberDid = await accountDid(client, args.member);
    const r = await client.procedure(nsid("updateMemberRole"), { communityDid: did, memberDid, roleRkey: args.role });
    out.data(r, () => `${args.member} (${memberDid}) is now ${r.role} in ${did}`);
  },
});
