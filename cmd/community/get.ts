// `ofpds community get <did|handle>`: net.openfederation.community.get (the full view).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "get",
    description: [
      "Show a community. Examples:",
      "  ofpds community get gardeners",
      "  ofpds community get did:plc:abc123 --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const ref = await normalizeRef(client, args.community);
    // Anonymous when logged out: public communities are readable without a session.
    const auth = client.savedSession() ? "access" : "none";
    const c = await client.query(nsid("get"), { did: ref }, auth);
    out.data(c, () => {
      const rows: Array<[string, unknown]> = [
        ["Handle", c.handle],
        ["DID", c.did],
        ["Display name", c.displayName],
        ["Description", c.description],
        ["Status", c.statusReason ? `${c.status} (${c.statusReason})` : c.status],
        ["Visibility", c.visibility],
        ["Join policy", c.joinPolicy],
        ["Governance", c.governanceModel],
        ["Members", c.memberCount],
        ["Owner", c.owner ? `${c.owner.handle} (${c.owner.did})` : undefined],
        ["Created", c.createdAt],
        ["Migrated to", c.migratedTo],
        ["Your role", c.myMembership?.role ?? (c.joinRequestStatus ? `join request ${c.joinRequestStatus}` : undefined)],
        ["Transfer pending", c.transferPending ? "yes" : undefined],
      ];
      return rows.filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `${(k + ":").padEnd(18)}${String(v)}`).join("\n");
    });
  },
});
