// `ofpds audit list`: net.openfederation.audit.list, newest first; --all merges every page.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { dateFlag, intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { toDid } from "../account/_target.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type AuditList = Output<"net.openfederation.audit.list">;

export default defineCommand({
  meta: {
    name: "list",
    description: [
      "List audit entries, newest first. Examples:",
      "  ofpds audit list --limit 20",
      "  ofpds audit list --action 'account.*' --since 2026-01-01T00:00:00Z",
      "  ofpds audit list --actor admin --target did:plc:abc123 --all --json   (one {entries, total} document)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    action: { type: "string", description: "Exact action, or a prefix ending in * (e.g. 'community.*')" },
    actor: { type: "string", description: "Who acted: DID or handle" },
    target: { type: "string", description: "Whom it concerned: DID or handle" },
    since: { type: "string", description: "From this ISO 8601 datetime" },
    until: { type: "string", description: "Up to this ISO 8601 datetime" },
    ...pagingArgs("entries"),
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const params = {
      action: args.action,
      actorDid: args.actor ? await toDid(client, args.actor) : undefined,
      targetDid: args.target ? await toDid(client, args.target) : undefined,
      since: dateFlag(args.since, "since"),
      until: dateFlag(args.until, "until"),
      limit: intFlag(args.limit, "limit", 100),
    };
    const page = (cursor: string | undefined) => client.query("net.openfederation.audit.list", { ...params, cursor });
    const result: Partial<AuditList> = await listPages("entries", args, page);
    out.data(result, (r: AuditList) =>
      table(r.entries as never[], [
        ["TIME", "createdAt"],
        ["ACTION", "action"],
        ["ACTOR", (e) => e.actorHandle ?? e.actorDid ?? e.partnerKeyId ?? e.actorType],
        ["TARGET", (e) => e.targetDid ?? e.targetId],
        ["DETAILS", (e) => (e.meta && Object.keys(e.meta as object).length ? e.meta : undefined)],
      ]),
    );
    if (result.cursor && !out.json) out.info(`${result.total ?? "?"} in total; next page: --cursor ${result.cursor}`);
  },
});
