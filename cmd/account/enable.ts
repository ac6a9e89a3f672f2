// `ofpds account enable <handle|did|email>`: net.openfederation.account.enable (T13), back to approved.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { toDid } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "enable",
    description: ["Enable a disabled account (it becomes approved again). Example:", "  ofpds account enable alice --json"].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession();
    const did = await toDid(client, args.account);
    const r = await client.procedure("net.openfederation.account.enable", { did });
    out.data(r, () => `Enabled ${args.account} (${r.did}): ${r.status}`);
  },
});
