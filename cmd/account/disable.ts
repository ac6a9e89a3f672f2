// `ofpds account disable <handle|did|email>`: net.openfederation.account.disable (T12) after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { confirmAction } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { toDid } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "disable",
    description: [
      "Disable an account (not a moderation action: abandoned, or at the holder's request); every session ends. Examples:",
      "  ofpds account disable alice --reason 'asked to close'",
      "  ofpds account disable did:plc:abc123 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
    reason: { type: "string", description: "Why (kept with the account and in the audit log)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession(); // before asking: a confirmation that then fails on login is wasted
    const did = await toDid(client, args.account);
    await confirmAction(args, `Disable ${args.account}? Its sessions end and it cannot sign in until enabled`);
    const body: RequestBody<"net.openfederation.account.disable"> = { did };
    if (args.reason) body.reason = args.reason;
    const r = await client.procedure("net.openfederation.account.disable", body);
    out.data(r, () => `Disabled ${args.account} (${r.did})`);
  },
});
