// `ofpds account unsuspend <handle|did|email>`: updateSubjectStatus deactivated.applied=false (T9) after y/N (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { accountArg, openAccountCommand, updateStatus } from "./_moderation.ts";

export default defineCommand({
  meta: {
    name: "unsuspend",
    description: [
      "End a suspension: the account returns to its status before it (approved, deactivated or disabled). Example:",
      "  ofpds account unsuspend alice -y --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...yesArg, ...accountArg },
  async run({ args }) {
    const { out, client, did } = await openAccountCommand(args);
    await confirmAction(args, `Unsuspend ${args.account}?`);
    const r = await updateStatus(client, did, "deactivated", false);
    out.data(r, () => `Unsuspended ${args.account} (${r.subject.did}): ${r.accountStatus}`);
  },
});
