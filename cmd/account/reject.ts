// `ofpds account reject <handle|did|email>`: net.openfederation.account.reject after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { confirmAction } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { parseTarget } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "reject",
    description: [
      "Reject a registration: its DID is tombstoned and its name and email released. Examples:",
      "  ofpds account reject spammer --reason 'spam'",
      "  ofpds account reject did:plc:abc123 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
    reason: { type: "string", description: "Why (at most 500 characters; kept in the audit log)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const target = parseTarget(args.account);
    client.requireSession(); // before asking: a confirmation that then fails on login is wasted
    await confirmAction(args, `Reject ${args.account}? Its registration is denied and cannot be restored`);
    const body: RequestBody<"net.openfederation.account.reject"> = { ...target };
    if (args.reason) body.reason = args.reason;
    const r = await client.procedure("net.openfederation.account.reject", body);
    out.data(r, () => `Rejected ${r.handle} (${r.did}): ${r.status}`);
  },
});
