// `ofpds community role-create <did|handle> --name <name>`: net.openfederation.community.createRole.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { UsageError } from "../_shared/errors.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";
import { permissionArg, permissionsFrom } from "./_roles.ts";

export default defineCommand({
  meta: {
    name: "role-create",
    description: [
      "Create a custom role (you can only grant permissions you hold). Examples:",
      "  ofpds community role-create gardeners --name Greeters --permission member.read --permission member.write",
      "  ofpds community role-create gardeners --name Guests --json   (no permissions)",
    ].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...communityArg, ...permissionArg,
    name: { type: "string", description: "Role name (1-64 characters, unique ignoring case)" },
    description: { type: "string", description: "What the role is for (up to 500 characters)" },
  },
  async run({ args, rawArgs }) {
    if (!args.name) throw new UsageError("Missing --name <role name>");
    const { out, client, did } = await openCommunityCommand(args);
    const r = await client.procedure(nsid("createRole"), {
      communityDid: did, name: args.name, permissions: permissionsFrom(rawArgs), ...(args.description !== undefined ? { description: args.description } : {}),
    });
    out.data(r, () => `Created role ${args.name} (rkey ${r.rkey}) in ${did}`);
  },
});
