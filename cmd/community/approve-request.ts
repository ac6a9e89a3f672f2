// `ofpds community approve-request <requestId>`: net.openfederation.community.resolveJoinRequest with action "approve".
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { nsid, requestIdValue } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "approve-request",
    description: [
      "Approve a join request: the requester becomes a member (no confirmation: mild). Examples:",
      "  ofpds community requests gardeners        (find the request id)",
      "  ofpds community approve-request 42 --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    requestId: { type: "positional", required: true, description: "Join request id (from `ofpds community requests`)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const requestId = requestIdValue(args.requestId);
    const r = await client.procedure(nsid("resolveJoinRequest"), { requestId, action: "approve" });
    out.data(r, () => `Approved join request ${args.requestId}: ${r.status}`);
  },
});
