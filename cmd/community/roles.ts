// `ofpds community roles <did|handle>`: net.openfederation.community.listRoles (owner, moderator, member, then custom).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { table } from "../_shared/table.ts";
import { communityArg, normalizeRef, nsid } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type RoleList = Output<"net.openfederation.community.listRoles">;

export default defineCommand({
  meta: {
    name: "roles",
    description: ["List a community's roles with their permissions and member counts. Examples:", "  ofpds community roles gardeners", "  ofpds community roles did:plc:abc123 --json"].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...communityArg },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const communityDid = await normalizeRef(client, args.community);
    const r = await client.query(nsid("listRoles"), { communityDid }, client.savedSession() ? "access" : "none");
    out.data(r, (x: RoleList) =>
      table(x.roles, [
        ["RKEY", "rkey"],
        ["NAME", "name"],
        ["MEMBERS", (role) => String(role.memberCount)],
        ["PERMISSIONS", (role) => (role.permissions as string[]).map((p) => p.replace(/^community\./, "")).join(",") || "-"],
      ], "(no roles)"),
    );
  },
});
