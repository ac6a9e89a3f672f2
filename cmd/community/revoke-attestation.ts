// `ofpds community revoke-attestation <did|handle> <rkey>`: net.openfederation.community.deleteAttestation after y/N (or -y).
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { communityArg, nsid, openCommunityCommand, withReason } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "revoke-attestation",
    description: ["Revoke an attestation (a signed delete; the reason goes to the audit log). Examples:", "  ofpds community revoke-attestation gardeners 3kabc… --reason 'issued in error'", "  ofpds community revoke-attestation gardeners 3kabc… -y --json"].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...yesArg, ...communityArg,
    rkey: { type: "positional", required: true, description: "The attestation's rkey (see `ofpds community attestations`)" },
    reason: { type: "string", description: "Why (up to 1000 characters; kept in the audit log)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    await confirmAction(args, `Revoke attestation ${args.rkey} of ${did}?`);
    const r = await client.procedure(nsid("deleteAttestation"), { communityDid: did, rkey: args.rkey, ...(args.reason ? { reason: args.reason } : {}) });
    out.data(r, () => withReason(`Revoked attestation ${args.rkey} of ${did}`, args.reason));
  },
});
