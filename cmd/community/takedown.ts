// `ofpds community takedown <did|handle>`: net.openfederation.community.takedown (staff: admin) after typing the handle (or --confirm/-y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { confirmArg, confirmTyped, normalizeRef, nsid, withReason } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "takedown",
    description: [
      "Take a community down: hidden from everyone but its owner and staff (the owner can still export, delete or move it). Examples:",
      "  ofpds community takedown gardeners --reason 'illegal content'   (asks you to type the handle)",
      "  ofpds community takedown did:plc:abc123 --confirm gardeners.example.org --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...confirmArg,
    community: { type: "positional", required: true, description: "Handle or DID of the community" },
    reason: { type: "string", description: "Why (at most 1000 characters; shown to the owner and kept in the audit log)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession();
    const did = await normalizeRef(client, args.community);
    await confirmTyped(client, did, args, "Take down");
    const body: Record<string, unknown> = { did };
    if (args.reason) body.reason = args.reason;
    const r = await client.procedure<{ did: string; status: string; reason?: string }>(nsid("takedown"), body);
    out.data(r, () => withReason(`Took down ${args.community} (${r.did}): ${r.status}`, r.reason));
  },
});

