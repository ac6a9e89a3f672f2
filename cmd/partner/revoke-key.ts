// `ofpds partner revoke-key <id>`: net.openfederation.partner.revokeKey after a y/N confirmation (or -y); immediate.
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { confirmAction } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";

export default defineCommand({
  meta: {
    name: "revoke-key",
    description: [
      "Revoke a partner API key at once (accounts it created stay). Examples:",
      "  ofpds partner revoke-key 6f1c2b1e-…",
      "  ofpds partner revoke-key 6f1c2b1e-… -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    id: { type: "positional", required: true, description: "The key's id (from list-keys)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession(); // before asking: a confirmation that then fails on login is wasted
    await confirmAction(args, `Revoke partner key ${args.id}? Registrations with it stop at once`);
    const r = await client.procedure("net.openfederation.partner.revokeKey", { id: args.id });
    out.data(r, () => `Revoked partner key ${r.id}`);
  },
});
