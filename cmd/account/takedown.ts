// `ofpds account takedown <handle|did|email>`: updateSubjectStatus takedown.applied=true (T10, admin) after typing the handle (or --confirm/-y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { accountArg, confirmArg, confirmTypedHandle, openAccountCommand, reasonArg, updateStatus } from "./_moderation.ts";

export default defineCommand({
  meta: {
    name: "takedown",
    description: [
      "Take an account down (admin): sessions end, the repo is gone for everyone but the holder's restricted export session.",
      "Needs a holder export since the latest commit, or a suspension of TAKEDOWN_EXPORT_GRACE_DAYS (else ExportRequired, exit 5). Examples:",
      "  ofpds account takedown alice --reason 'illegal content'   (asks you to type the handle)",
      "  ofpds account takedown did:plc:abc123 --confirm alice.example.org --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...yesArg, ...confirmArg, ...accountArg, ...reasonArg },
  async run({ args }) {
    const { out, client, did } = await openAccountCommand(args);
    await confirmTypedHandle(client, args.account, args, "Take down");
    const r = await updateStatus(client, did, "takedown", true, args.reason);
    out.data(r, () => `Took down ${args.account} (${r.subject.did}): ${r.accountStatus}`);
  },
});
