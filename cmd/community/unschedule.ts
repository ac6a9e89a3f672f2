// `ofpds community unschedule <did|handle>`: net.openfederation.admin.deleteExportSchedule (admin); --delete-snapshots also removes the files.
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { confirmAction } from "../_shared/input.ts";
import { communityArg, openCommunityCommand } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "unschedule",
    description: [
      "Delete a community's export schedule (admin). The snapshots stay unless --delete-snapshots (asks y/N, or -y). Examples:",
      "  ofpds community unschedule gardeners",
      "  ofpds community unschedule gardeners --delete-snapshots -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...communityArg,
    "delete-snapshots": { type: "boolean", description: "Also delete every snapshot of the community (files and rows)" },
  },
  async run({ args }) {
    const { out, client, did } = await openCommunityCommand(args);
    const deleteSnapshots = !!args["delete-snapshots"];
    if (deleteSnapshots) await confirmAction(args, `Delete the export schedule of ${did} and every snapshot of it?`);
    await client.procedure("net.openfederation.admin.deleteExportSchedule", { communityDid: did, deleteSnapshots });
    out.data({ community: did, deleteSnapshots, success: true }, () => `Deleted the export schedule of ${args.community}${deleteSnapshots ? " and its snapshots" : " (snapshots kept)"}`);
  },
});
