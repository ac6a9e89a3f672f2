// `ofpds account approve <handle|did|email>`: net.openfederation.account.approve (no confirmation: mild).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { parseTarget } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "approve",
    description: [
      "Approve a registration awaiting approval. Examples:",
      "  ofpds account approve alice",
      "  ofpds account approve did:plc:abc123 --json",
      "  ofpds account approve alice@example.org",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const r = await client.procedure("net.openfederation.account.approve", parseTarget(args.account));
    out.data(r, () => `Approved ${r.handle} (${r.did}): ${r.status}`);
  },
});
