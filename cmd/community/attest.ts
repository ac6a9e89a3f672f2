// `ofpds community attest <did|handle> <subject> --type <t> --claim <json>`: net.openfederation.community.issueAttestation.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { UsageError } from "../_shared/errors.ts";
import { dateFlag } from "../_shared/input.ts";
import { accountDid, communityArg, nsid, openCommunityCommand } from "./_shared.ts";

const TYPES = ["membership", "role", "credential"];

/** The claim JSON object from --claim or --claim-file (exactly one). */
function claimFrom(args: { claim?: string; "claim-file"?: string }): unknown {
  if ((args.claim === undefined) === (args["claim-file"] === undefined)) throw new UsageError("Give the claim as --claim '<json object>' or --claim-file <file> (exactly one)");
  let text = args.claim;
  if (text === undefined) {
    try {
      text = readFileSync(args["claim-file"]!, "utf8");
    } catch (err) {
      throw new UsageError(`Cannot read --claim-file ${args["claim-file"]}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError("The claim is not valid JSON; pass a JSON object such as '{\"course\":\"first aid\"}'");
  }
}

export default defineCommand({
  meta: {
    name: "attest",
    description: [
      "Issue an attestation about a member, signed by the community's repo. Examples:",
      "  ofpds community attest gardeners alice --type credential --claim '{\"course\":\"composting\"}'",
      "  ofpds community attest gardeners did:plc:def456 --type membership --claim-file claim.json --expires 2027-01-01T00:00:00Z --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...communityArg,
    subject: { type: "positional", required: true, description: "Handle or DID of the member the attestation is about" },
    type: { type: "string", description: "membership, role or credential" },
    claim: { type: "string", description: "The claim, a JSON object (at most 4096 bytes, depth 5)" },
    "claim-file": { type: "string", description: "Read the claim JSON from this file" },
    expires: { type: "string", description: "Expiry, an ISO datetime in the future" },
  },
  async run({ args }) {
    if (!args.type) throw new UsageError("Missing --type <membership|role|credential>");
    if (!TYPES.includes(args.type)) throw new UsageError(`--type must be one of ${TYPES.join(", ")}`);
    const claim = claimFrom(args);
    const expiresAt = dateFlag(args.expires, "expires");
    const { out, client, did } = await openCommunityCommand(args);
    const subjectDid = await accountDid(client, args.subject);
    const r = await client.procedure(nsid("issueAttestation"), { communityDid: did, subjectDid, type: args.type, claim, ...(expiresAt ? { expiresAt } : {}) });
    out.data(r, () => `Issued ${args.type} attestation ${r.rkey} about ${args.subject} (${r.uri})`);
  },
});
