// `ofpds community role-update <did|handle> <rkey>`: net.openfederation.community.updateRole (never the owner role).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { UsageError } from "../_shared/errors.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";
import { clearsPermissions, permissionArg, permissionsFrom } from "./_roles.ts";

export default defineCommand({
  meta: {
    name: "role-update",
    description: [
      "Rename a role, change its description, or replace its permissions. Examples:",
      "  ofpds community role-update gardeners 3kabc… --name Hosts",
      "  ofpds community role-update gardeners member --permission member.read --permission role.read --json",
      "  ofpds community role-update gardeners 3kabc… --no-permissions   (grants nothing)",
    ].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...communityArg, ...permissionArg,
    rkey: { type: "positional", required: true, description: "The role's rkey (see `ofpds community roles`)" },
    name: { type: "string", description: "New name" },
    description: { type: "string", description: "New description (\"\" removes it)" },
    permissions: { type: "boolean", description: "--no-permissions: replace the permissions with none" },
  },
  async run({ args, rawArgs }) {
    const perms = permissionsFrom(rawArgs);
    const clear = clearsPermissions(rawArgs);
    if (args.name === undefined && args.description === undefined && !perms.length && !clear) {
      throw new UsageError("Nothing to change: give --name, --description, --permission or --no-permissions");
    }
    const { out, client, did } = await openCommunityCommand(args);
    const r = await client.procedure(nsid("updateRole"), {
      communityDid: did, rkey: args.rkey,
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.description !== undefined ? { description: args.description } : {}),
      ...(perms.length || clear ? { permissions: perms } : {}),
    });
    out.data(r, () => `Updated role ${args.rkey} in ${did}`);
  },
});
