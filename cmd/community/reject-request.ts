// `ofpds community reject-request <requestId>`: net.openfederation.community.resolveJoinRequest with action "reject".
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { confirmAction } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { nsid, requestIdValue } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "reject-request",
    description: [
      "Reject a join request after a y/N confirmation (or -y); the requester may ask again later. Examples:",
      "  ofpds community requests gardeners        (find the request id)",
      "  ofpds community reject-request 42 -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    requestId: { type: "positional", required: true, description: "Join request id (from `ofpds community requests`)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const requestId = requestIdValue(args.requestId);
    client.requireSession(); // before asking: a confirmation that then fails on login is wasted
    await confirmAction(args, `Reject join request ${args.requestId}?`);
    const r = await client.procedure(nsid("resolveJoinRequest"), { requestId, action: "reject" });
    out.data(r, () => `Rejected join request ${args.requestId}: ${r.status}`);
  },
});
