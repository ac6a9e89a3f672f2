// `ofpds account list`: net.openfederation.account.list (staff), newest first; --all merges every page.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import type { AccountList } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "list",
    description: [
      "List accounts, newest first. Examples:",
      "  ofpds account list",
      "  ofpds account list --status approved --role moderator",
      "  ofpds account list --search alice --json",
      "  ofpds account list --all --json        (every page as one {users, total} document)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    status: { type: "string", description: "pending, approved, rejected, deactivated, disabled, suspended or takendown" },
    role: { type: "string", description: "admin, moderator, partner-manager, auditor or user" },
    search: { type: "string", description: "Case-insensitive substring of the name or email" },
    ...pagingArgs("users"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const page = (cursor: string | undefined) =>
      client.query("net.openfederation.account.list", { status: args.status, role: args.role, q: args.search, limit, cursor });
    const result: Partial<AccountList> = await listPages("users", args, page);
    out.data(result, (r: AccountList) =>
      table(r.users as never[], [
        ["HANDLE", "handle"],
        ["DID", "did"],
        ["EMAIL", "email"],
        ["STATUS", "status"],
        ["ROLES", "roles"],
        ["CREATED", "createdAt"],
      ]),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
