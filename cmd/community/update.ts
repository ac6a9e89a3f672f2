// `ofpds community update <did|handle>`: net.openfederation.community.update (profile and settings in one commit).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "update",
    description: [
      "Change a community's display name, description, visibility or join policy. Examples:",
      "  ofpds community update gardeners --display-name 'Gardeners of Ghent'",
      "  ofpds community update gardeners --join-policy approval --json",
      "  ofpds community update gardeners --visibility private   (copies already distributed cannot be recalled)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    "display-name": { type: "string", description: "New display name (1-64 characters)" },
    description: { type: "string", description: "New description (at most 2000 characters)" },
    visibility: { type: "string", description: "public or private" },
    "join-policy": { type: "string", description: "open or approval" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    if (args.visibility !== undefined && !["public", "private"].includes(args.visibility)) throw new UsageError(`--visibility must be public or private (got ${args.visibility})`);
    if (args["join-policy"] !== undefined && !["open", "approval"].includes(args["join-policy"])) throw new UsageError(`--join-policy must be open or approval (got ${args["join-policy"]})`);
    const body: Omit<RequestBody<"net.openfederation.community.update">, "did"> = {};
    if (args["display-name"] !== undefined) body.displayName = args["display-name"];
    if (args.description !== undefined) body.description = args.description;
    if (args.visibility !== undefined) body.visibility = args.visibility;
    if (args["join-policy"] !== undefined) body.joinPolicy = args["join-policy"];
    if (Object.keys(body).length === 0) throw new UsageError("Nothing to change: pass at least one of --display-name, --description, --visibility, --join-policy");
    const did = await normalizeRef(client, args.community);
    const r = await client.procedure(nsid("update"), { did, ...body });
    if (r.warning && !out.json) out.warn(r.warning);
    out.data(r, () => `Updated ${did}: ${Object.keys(body).join(", ")}`);
  },
});
