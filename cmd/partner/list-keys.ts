// `ofpds partner list-keys`: net.openfederation.partner.listKeys, newest first, as a table or the response JSON (never the key).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type KeyList = Output<"net.openfederation.partner.listKeys">;

export default defineCommand({
  meta: {
    name: "list-keys",
    description: [
      "List partner API keys, newest first (the keys themselves are never shown). Examples:",
      "  ofpds partner list-keys",
      "  ofpds partner list-keys --status active --limit 20",
      "  ofpds partner list-keys --all --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    status: { type: "string", description: "active or revoked" },
    ...pagingArgs("keys"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    if (args.status !== undefined && args.status !== "active" && args.status !== "revoked") throw new UsageError(`--status must be active or revoked (got ${args.status})`);
    const client = clientFrom(args, out);
    const limit = intFlag(args.limit, "limit", 100);
    const status = args.status as "active" | "revoked" | undefined;
    const page = (cursor: string | undefined) => client.query("net.openfederation.partner.listKeys", { status, limit, cursor });
    const result: Partial<KeyList> = await listPages("keys", args, page);
    out.data(result, (r: KeyList) =>
      table(r.keys as never[], [
        ["ID", "id"],
        ["PREFIX", "keyPrefix"],
        ["NAME", "name"],
        ["PARTNER", "partnerName"],
        ["STATUS", "status"],
        ["ORIGINS", (k) => (k.allowedOrigins as string[]).join(",")],
        ["PER HOUR", (k) => String(k.rateLimitPerHour)],
        ["ACCOUNTS", (k) => String(k.totalRegistrations)],
        ["LAST USED", "lastUsedAt"],
        ["CREATED", "createdAt"],
      ]),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
