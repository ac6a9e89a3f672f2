// `ofpds community snapshots <did|handle>`: net.openfederation.admin.listExportSnapshots (admin), newest first.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { intFlag } from "../_shared/input.ts";
import { listPages, pagingArgs } from "../_shared/paging.ts";
import { table } from "../_shared/table.ts";
import { communityArg, openCommunityCommand } from "./_shared.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type SnapshotList = Output<"net.openfederation.admin.listExportSnapshots">;

export default defineCommand({
  meta: {
    name: "snapshots",
    description: [
      "List a community's export snapshots (admin), newest first. Download one with `ofpds community snapshot <id> -o f.car`. Examples:",
      "  ofpds community snapshots gardeners",
      "  ofpds community snapshots did:plc:abc123 --all --json",
    ].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs, ...communityArg, ...pagingArgs("snapshots") },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const limit = intFlag(args.limit, "limit", 100);
    const page = (cursor: string | undefined) => client.query("net.openfederation.admin.listExportSnapshots", { communityDid: did, limit, cursor });
    const result: Partial<SnapshotList> = await listPages("snapshots", args, page);
    out.data(result, (r: SnapshotList) =>
      table(r.snapshots, [
        ["ID", "id"],
        ["CREATED", "createdAt"],
        ["REV", "rev"],
        ["BYTES", (s) => String(s.sizeBytes)],
        ["SHA-256", "sha256"],
      ], "(no snapshots)"),
    );
    if (result.cursor && !out.json) out.info(`next page: --cursor ${result.cursor}`);
  },
});
