// `ofpds community schedule <did|handle> --interval daily|weekly|monthly`: net.openfederation.admin.createExportSchedule (admin; upsert).
import { defineCommand } from "citty";
import type { RequestBody } from "../_shared/client.ts";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { UsageError } from "../_shared/errors.ts";
import { intFlag } from "../_shared/input.ts";
import { communityArg, openCommunityCommand } from "./_shared.ts";

const INTERVALS = ["daily", "weekly", "monthly"] as const;

export default defineCommand({
  meta: {
    name: "schedule",
    description: [
      "Schedule automatic snapshots (full repo CARs under <DATA_DIR>/exports) of a community (admin). Running it again",
      "changes the schedule and keeps its id. Examples:",
      "  ofpds community schedule gardeners --interval daily --retention 7",
      "  ofpds community schedule gardeners --interval weekly --disable --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    interval: { type: "string", description: "daily, weekly or monthly (required)" },
    retention: { type: "string", description: "How many snapshots to keep, 1-100 (default 5)" },
    disable: { type: "boolean", description: "Keep the schedule but stop taking snapshots" },
  },
  async run({ args }) {
    if (!args.interval) throw new UsageError("Missing --interval\nPass --interval daily, weekly or monthly");
    if (!(INTERVALS as readonly string[]).includes(args.interval)) throw new UsageError(`--interval must be daily, weekly or monthly (got ${args.interval})`);
    const retentionCount = intFlag(args.retention, "retention", 100);
    const { out, client, did } = await openCommunityCommand(args);
    const body: RequestBody<"net.openfederation.admin.createExportSchedule"> = { communityDid: did, interval: args.interval as (typeof INTERVALS)[number], enabled: !args.disable };
    if (retentionCount !== undefined) body.retentionCount = retentionCount;
    const r = await client.procedure("net.openfederation.admin.createExportSchedule", body);
    out.data(r, () => `Scheduled ${r.interval} snapshots of ${args.community} (${r.communityDid}), keeping ${r.retentionCount}${r.enabled ? `; next run ${r.nextRunAt}` : "; disabled"}`);
  },
});
