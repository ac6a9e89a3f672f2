// `ofpds community attestations <did|handle>`: net.openfederation.community.listAttestations, newest first.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { accountDid, communityArg, normalizeRef, nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type AttestationList = Output<"net.openfederation.community.listAttestations">;

export default defineCommand({
  meta: {
    name: "attestations",
    description: [
      "List a community's attestations, newest first. Examples:",
      "  ofpds community attestations gardeners --subject alice --type credential",
      "  ofpds community attestations gardeners --no-expired --all --json   (every page as one {attestations, total} document)",
    ].join("\n"),
  },
  args: {
    ...globalArgs, ...clientArgs, ...communityArg, ...pagingArgs("attestations"),
    subject: { type: "string", description: "Only attestations about this member (handle or DID)" },
    type: { type: "string", description: "Only this type: membership, role or credential" },
    expired: { type: "boolean", default: true, description: "--no-expired: leave out expired attestations" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const communityDid = await normalizeRef(client, args.community);
    const subjectDid = args.subject ? await accountDid(client, args.subject) : undefined;
    const auth = client.savedSession() ? "access" : "none";
    const page = (cursor: string | undefined) =>
      client.query(nsid("listAttestations"), { communityDid, subjectDid, type: args.type, includeExpired: args.expired !== false, limit, cursor }, auth);
    const result: Partial<AttestationList> = await listPages("attestations", args, page);
    out.data(result, (r: AttestationList) =>
      table(r.attestations, [
        ["RKEY", "rkey"],
        ["TYPE", "type"],
        ["SUBJECT", "subjectHandle"],
        ["ISSUED", "issuedAt"],
        ["EXPIRES", (a) => (a.expiresAt ? `${a.expiresAt}${a.expired ? " (expired)" : ""}` : "-")],
        ["CLAIM", (a) => JSON.stringify(a.claim)],
      ], "(no attestations)"),
    );
    if (result.cursor && !out.json) out.info(`next page: --cursor ${result.cursor}`);
  },
});
