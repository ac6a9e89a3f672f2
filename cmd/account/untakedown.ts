// `ofpds account untakedown <handle|did|email>`: updateSubjectStatus takedown.applied=false (T11, admin).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { accountArg, openAccountCommand, updateStatus } from "./_moderation.ts";

export default defineCommand({
  meta: {
    name: "untakedown",
    description: [
      "Reverse a takedown (admin): the account returns to its status before moderation. Example:",
      "  ofpds account untakedown alice --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...accountArg },
  async run({ args }) {
    const { out, client, did } = await openAccountCommand(args);
    const r = await updateStatus(client, did, "takedown", false);
    out.data(r, () => `Restored ${args.account} (${r.subject.did}): ${r.accountStatus}`);
  },
});
