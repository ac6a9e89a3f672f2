// `ofpds community unsuspend <did|handle>`: net.openfederation.community.unsuspend (staff: admin) after a y/N confirmation (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { confirmAction } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { normalizeRef, nsid } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "unsuspend",
    description: [
      "Lift a suspension. Examples:",
      "  ofpds community unsuspend gardeners",
      "  ofpds community unsuspend did:plc:abc123 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    community: { type: "positional", required: true, description: "Handle or DID of the community" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession();
    const did = await normalizeRef(client, args.community);
    await confirmAction(args, `Unsuspend ${did}?`);
    const body: Record<string, unknown> = { did };
    const r = await client.procedure<{ did: string; status: string; reason?: string }>(nsid("unsuspend"), body);
    out.data(r, () => `Unsuspended ${args.community} (${r.did}): ${r.status}`);
  },
});

