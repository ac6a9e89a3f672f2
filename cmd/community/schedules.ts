// `ofpds community schedules`: net.openfederation.admin.listExportSchedules (admin), with each schedule's last outcome.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type ScheduleList = Output<"net.openfederation.admin.listExportSchedules">;

export default defineCommand({
  meta: {
    name: "schedules",
    description: [
      "List the export schedules (admin), oldest first. Examples:",
      "  ofpds community schedules",
      "  ofpds community schedules --all --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...pagingArgs("schedules") },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession();
    const limit = intFlag(args.limit, "limit", 100);
    const page = (cursor: string | undefined) => client.query("net.openfederation.admin.listExportSchedules", { limit, cursor });
    const result: Partial<ScheduleList> = await listPages("schedules", args, page);
    out.data(result, (r: ScheduleList) =>
      table(r.schedules, [
        ["COMMUNITY", "communityHandle"],
        ["INTERVAL", "interval"],
        ["KEEP", (s) => String(s.retentionCount)],
        ["ENABLED", (s) => (s.enabled ? "yes" : "no")],
        ["LAST", (s) => (s.lastStatus ? `${s.lastStatus}${s.lastError ? `: ${s.lastError}` : ""}` : "-")],
        ["LAST SNAPSHOT", (s) => s.lastExportAt ?? "-"],
        ["NEXT RUN", "nextRunAt"],
      ], "(no export schedules)"),
    );
    if (result.cursor && !out.json) out.info(`next page: --cursor ${result.cursor}`);
  },
});
