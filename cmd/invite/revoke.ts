// `ofpds invite revoke <code>`: net.openfederation.invite.revoke; the code stops working at once.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";

export default defineCommand({
  meta: {
    name: "revoke",
    description: ["Revoke an invite code: registrations can no longer use it. Examples:", "  ofpds invite revoke abcd-efgh-ijkl", "  ofpds invite revoke abcd-efgh-ijkl --json"].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    code: { type: "positional", required: true, description: "The invite code" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const r = await client.procedure("net.openfederation.invite.revoke", { code: args.code.trim() });
    out.data(r, () => `Revoked ${r.code}`);
  },
});
