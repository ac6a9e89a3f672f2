// `ofpds account delete <handle|did|email>`: com.atproto.admin.deleteAccount (T14, admin) after typing the handle (or --confirm/-y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { accountArg, confirmArg, confirmTypedHandle, openAccountCommand } from "./_moderation.ts";

export default defineCommand({
  meta: {
    name: "delete",
    description: [
      "Delete an account for good (admin): repo, blobs, keys, sessions and its memberships go; its did:plc is tombstoned",
      "while its DID document still names this server. Refused while it owns communities (AccountOwnsCommunities, exit 5)",
      "or without a holder export since the latest commit / a suspension of TAKEDOWN_EXPORT_GRACE_DAYS (ExportRequired, exit 5). Examples:",
      "  ofpds account delete alice                                (asks you to type the handle)",
      "  ofpds account delete did:plc:abc123 --confirm alice.example.org --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...yesArg, ...confirmArg, ...accountArg },
  async run({ args }) {
    const { out, client, did } = await openAccountCommand(args);
    await confirmTypedHandle(client, args.account, args, "Delete");
    await client.procedure("com.atproto.admin.deleteAccount", { did });
    out.data({ did, deleted: true }, () => `Deleted ${args.account} (${did})`);
  },
});
