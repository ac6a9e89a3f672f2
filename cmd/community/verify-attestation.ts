// `ofpds community verify-attestation <did|handle> <rkey>`: net.openfederation.community.verifyAttestation; exit 1 when not valid.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { CliError, EXIT } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type Verified = Output<"net.openfederation.community.verifyAttestation">;

export default defineCommand({
  meta: {
    name: "verify-attestation",
    description: [
      "Verify an attestation: locally, or on the community's own server by signature and Merkle proof.",
      "Exits 0 when valid, 1 when not (the reason is printed). Examples:",
      "  ofpds community verify-attestation gardeners 3kabc…",
      "  ofpds community verify-attestation did:plc:abc123 3kabc… --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...communityArg,
    rkey: { type: "positional", required: true, description: "The attestation's rkey" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const communityDid = await normalizeRef(client, args.community);
    const r = await client.query(nsid("verifyAttestation"), { communityDid, rkey: args.rkey }, client.savedSession() ? "access" : "none");
    out.data(r, (v: Verified) => {
      const where = v.remote ? `remote, ${v.pdsUrl ?? "?"}` : "local";
      if (!v.valid) return `NOT VALID: ${v.reason ?? "unknown"} (${where})`;
      const a = v.attestation;
      return [`VALID (${where})`, ...(a ? [`${a.type} about ${a.subjectHandle} (${a.subjectDid}), issued ${a.issuedAt}${a.expiresAt ? `, expires ${a.expiresAt}` : ""}`, `claim: ${JSON.stringify(a.claim)}`] : []),
        ...(v.proof ? [`commit ${v.proof.commitCid} rev ${v.proof.rev}`] : [])].join("\n");
    });
    // the result is on stdout either way; the exit code lets scripts branch on it
    if (!r.valid) throw new CliError(`The attestation is not valid (${r.reason ?? "unknown"})`, EXIT.runtime, "AttestationInvalid");
  },
});
