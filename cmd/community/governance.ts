// `ofpds community governance <community>`: shows the governance model (settings record), or sets it with --model.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { intFlag } from "../_shared/input.ts";
import { communityArg, nsid, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "governance",
    description: [
      "Show or set a community's governance model (net.openfederation.community.setGovernanceModel). Examples:",
      "  ofpds community governance gardeners",
      "  ofpds community governance gardeners --model simple-majority --quorum 2 --protect profile --ttl-days 3 --json",
      "Leaving simple-majority or changing its config needs a proposal (`ofpds community propose … --collection settings --rkey self`).",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    model: { type: "string", description: "benevolent-dictator or simple-majority (without it: show the current model)" },
    quorum: { type: "string", description: "simple-majority: votes needed (1-1000, default 3)" },
    "voter-role": { type: "string", description: "simple-majority: only holders of this role rkey (and the owner) vote" },
    protect: { type: "string", description: "simple-majority: comma-separated protected collections (NSIDs or short names)" },
    "ttl-days": { type: "string", description: "simple-majority: proposal lifetime in days (1-90, default 7)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    if (!args.model) {
      const rec = await client.query("com.atproto.repo.getRecord", { repo: did, collection: "net.openfederation.community.settings", rkey: "self" });
      const v = rec.value as { governanceModel?: string; governanceConfig?: Record<string, unknown> };
      const doc = { governanceModel: v.governanceModel ?? "benevolent-dictator", ...(v.governanceConfig ? { governanceConfig: v.governanceConfig } : {}) };
      out.data(doc, () => [`model: ${doc.governanceModel}`, ...(doc.governanceConfig ? [`config: ${JSON.stringify(doc.governanceConfig)}`] : [])].join("\n"));
      return;
    }
    const cfg: Record<string, unknown> = {};
    if (args.quorum !== undefined) cfg.quorum = intFlag(args.quorum, "quorum", 1000);
    if (args["voter-role"] !== undefined) cfg.voterRole = args["voter-role"];
    if (args.protect !== undefined) cfg.protectedCollections = String(args.protect).split(",").map((s) => s.trim()).filter(Boolean);
    if (args["ttl-days"] !== undefined) cfg.proposalTtlDays = intFlag(args["ttl-days"], "ttl-days", 90);
    const r = await client.procedure(nsid("setGovernanceModel"), { communityDid: did, governanceModel: args.model, ...(Object.keys(cfg).length ? { governanceConfig: cfg } : {}) });
    out.data(r, () => `Governance of ${did}: ${r.governanceModel}${r.governanceConfig ? ` ${JSON.stringify(r.governanceConfig)}` : ""}`);
  },
});
