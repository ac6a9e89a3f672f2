// `ofpds account suspend <handle|did|email>`: com.atproto.admin.updateSubjectStatus deactivated.applied=true (T8) after y/N (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { accountArg, openAccountCommand, reasonArg, updateStatus } from "./_moderation.ts";

export default defineCommand({
  meta: {
    name: "suspend",
    description: [
      "Suspend an account (moderation; admin or moderator): every session ends, the repo is hidden, the holder can still export. Examples:",
      "  ofpds account suspend alice --reason 'spam'",
      "  ofpds account suspend did:plc:abc123 -y --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...yesArg, ...accountArg, ...reasonArg },
  async run({ args }) {
    const { out, client, did } = await openAccountCommand(args);
    await confirmAction(args, `Suspend ${args.account}? Its sessions end and it cannot sign in until unsuspended`);
    const r = await updateStatus(client, did, "deactivated", true, args.reason);
    out.data(r, () => `Suspended ${args.account} (${r.subject.did}): ${r.accountStatus}`);
  },
});
