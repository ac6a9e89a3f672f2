// `ofpds invite list`: net.openfederation.invite.list, newest first, as a table or the response JSON.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type InviteList = Output<"net.openfederation.invite.list">;

export default defineCommand({
  meta: {
    name: "list",
    description: [
      "List invite codes, newest first. Examples:",
      "  ofpds invite list",
      "  ofpds invite list --status active --limit 20",
      "  ofpds invite list --all --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    status: { type: "string", description: "active, expired, exhausted or revoked" },
    ...pagingArgs("invites"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const page = (cursor: string | undefined) => client.query("net.openfederation.invite.list", { status: args.status, limit, cursor });
    const result: Partial<InviteList> = await listPages("invites", args, page);
    out.data(result, (r: InviteList) =>
      table(r.invites as never[], [
        ["CODE", "code"],
        ["STATUS", "status"],
        ["USES", (i) => `${i.usesCount}/${i.maxUses}`],
        ["EXPIRES", "expiresAt"],
        ["BOUND TO", "boundTo"],
        ["CREATED", "createdAt"],
        ["BY", (i) => i.createdByHandle ?? i.createdBy],
        ["NOTE", "note"],
      ]),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
