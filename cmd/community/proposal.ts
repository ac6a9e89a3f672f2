// `ofpds community proposal <community> <rkey>`: net.openfederation.community.getProposal, with its tally.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";
import { tallyLine } from "./_governance.ts";

export default defineCommand({
  meta: { name: "proposal", description: "Show one proposal and its tally. Example: ofpds community proposal gardeners 3lbq2x7kxc22y --json" },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    rkey: { type: "positional", required: true, description: "The proposal's rkey" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const communityDid = await normalizeRef(client, args.community);
    const p = await client.query(nsid("getProposal"), { communityDid, rkey: args.rkey }, client.savedSession() ? "access" : "none");
    out.data(p, () => [
      `${p.rkey}: ${p.status} — ${p.action} ${p.targetCollection}/${p.targetRkey} by ${p.proposedBy}`,
      tallyLine(p.tally),
      `votes for: ${p.votesFor.join(", ") || "-"} · against: ${p.votesAgainst.join(", ") || "-"}`,
      `expires ${p.expiresAt}${p.resolvedAt ? ` · resolved ${p.resolvedAt}` : ""}${p.appliedRev ? ` · applied at rev ${p.appliedRev}` : ""}${p.failureReason ? ` · ${p.failureReason}` : ""}`,
      ...(p.amendments?.length ? [`${p.amendments.length} amendment(s)`] : []),
      ...(p.proposedRecord ? [JSON.stringify(p.proposedRecord, null, 2)] : []),
    ].join("\n"));
  },
});
