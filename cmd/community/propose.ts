// `ofpds community propose <community>`: net.openfederation.community.createProposal (the record from a JSON file or stdin).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { UsageError } from "../_shared/errors.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";
import { recordFromFile, tallyLine } from "./_governance.ts";

export default defineCommand({
  meta: {
    name: "propose",
    description: [
      "Propose a change to a protected collection, or a role assignment. Examples:",
      "  ofpds community propose gardeners --collection settings --rkey self --record-file settings.json --reason 'vet newcomers'",
      "  ofpds community propose gardeners --collection role --rkey scribe --delete --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    collection: { type: "string", required: true, description: "Target collection (NSID or short name: settings, profile, role, attestation, member)" },
    rkey: { type: "string", required: true, description: "Target record key (self, a role rkey, a member DID…)" },
    "record-file": { type: "string", description: "The proposed record as a JSON file (- reads stdin)" },
    delete: { type: "boolean", description: "Propose deleting the target instead of writing it" },
    reason: { type: "string", description: "Why (at most 1000 characters)" },
  },
  async run({ args }) {
    if (args.delete && args["record-file"]) throw new UsageError("Give either --record-file or --delete, not both");
    const proposedRecord = args.delete ? undefined : recordFromFile(args["record-file"]);
    const { out, client, did } = await openCommunityCommand(args);
    const r = await client.procedure(nsid("createProposal"), {
      communityDid: did, targetCollection: args.collection, targetRkey: args.rkey, action: args.delete ? "delete" : "write",
      ...(proposedRecord ? { proposedRecord } : {}), ...(args.reason ? { reason: args.reason } : {}),
    });
    out.data(r, () => `Proposal ${r.rkey}: ${r.status} (expires ${r.expiresAt})\n${tallyLine(r.tally)}`);
  },
});
