// `ofpds account list-pending`: net.openfederation.account.listPending (staff), oldest first.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type PendingList = Output<"net.openfederation.account.listPending">;

export default defineCommand({
  meta: {
    name: "list-pending",
    description: [
      "List registrations awaiting approval, oldest first. Examples:",
      "  ofpds account list-pending",
      "  ofpds account list-pending --all --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...pagingArgs("users"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const page = (cursor: string | undefined) => client.query("net.openfederation.account.listPending", { limit, cursor });
    const result: Partial<PendingList> = await listPages("users", args, page);
    out.data(result, (r: PendingList) =>
      table(r.users as never[], [
        ["HANDLE", "handle"],
        ["DID", "did"],
        ["EMAIL", "email"],
        ["VIA", "createdVia"],
        ["INVITE", "inviteCode"],
        ["CREATED", "createdAt"],
      ], "(no registrations awaiting approval)"),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
